import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** What a command printed and how it exited. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
}

/**
 * How the client looks at the machine. Injected so tests (and unusual platforms) can feed their own.
 *
 * @example
 * ```ts
 * const probes: MachineProbes = { ...systemProbes, hostname: () => 'srv-01.example' };
 * ```
 */
export interface MachineProbes {
  /** A file's text, or undefined when it is missing or unreadable. */
  readText(path: string): Promise<string | undefined>;
  /** A command's exit code and output, or undefined when it cannot run at all (not installed). */
  run(command: string, args: readonly string[]): Promise<CommandResult | undefined>;
  hostname(): string;
}

const commandTimeoutMs = 5_000;

/**
 * The real machine: its files, its commands and its hostname.
 *
 * @example
 * ```ts
 * const { virtual } = await detectVirtualization(systemProbes);
 * ```
 */
export const systemProbes: MachineProbes = {
  readText: (path) => readFile(path, 'utf8').catch(() => undefined),
  run: (command, args) =>
    new Promise((resolve) => {
      execFile(command, [...args], { timeout: commandTimeoutMs }, (error, stdout) => {
        if (!error) return resolve({ exitCode: 0, stdout });
        // A numeric code is the command's exit status; a string code (ENOENT, EACCES…) means it never ran.
        resolve(typeof error.code === 'number' ? { exitCode: error.code, stdout } : undefined);
      });
    }),
  hostname,
};

/** Where Linux keeps the machine id, in order of preference. */
export const machineIdPaths = ['/etc/machine-id', '/var/lib/dbus/machine-id'] as const;

/** Where the fingerprint came from: a machine id file, or the fallback id kept in the state directory. */
export type FingerprintSource = (typeof machineIdPaths)[number] | 'state-dir';

export interface MachineFingerprint {
  readonly fingerprint: string;
  readonly source: FingerprintSource;
}

// systemd writes "uninitialized" during first boot; an all-zero id is what images ship before it is set.
const usableMachineId = (text: string | undefined): string | undefined => {
  const id = text?.trim();
  return id && id !== 'uninitialized' && !/^0+$/.test(id) ? id : undefined;
};

/**
 * A stable, product-specific fingerprint of the machine: HMAC-SHA256 of the product id keyed with the
 * machine id (as systemd recommends for application ids), so the raw machine id never leaves the machine
 * and two products see unrelated values. Without a machine id, `fallbackId` supplies a random id kept
 * in the state directory: stable for this installation, but it changes if the state directory is wiped.
 *
 * @example
 * ```ts
 * const { fingerprint, source } = await machineFingerprint('vault', systemProbes, () => store.fallbackId());
 * ```
 */
export async function machineFingerprint(productId: string, probes: MachineProbes, fallbackId: () => Promise<string>): Promise<MachineFingerprint> {
  for (const path of machineIdPaths) {
    const machineId = usableMachineId(await probes.readText(path));
    if (machineId) return { fingerprint: appSpecificId(machineId, productId), source: path };
  }
  return { fingerprint: appSpecificId(await fallbackId(), productId), source: 'state-dir' };
}

function appSpecificId(machineId: string, productId: string): string {
  return createHmac('sha256', machineId).update(productId, 'utf8').digest('base64url');
}

/** Whether the machine looks virtual, and every observation that led there, positive or not. */
export interface Virtualization {
  readonly virtual: boolean;
  /** One line per probe: what was looked at and what it showed, e.g. `systemd-detect-virt --vm: kvm`. */
  readonly evidence: string[];
}

interface Observation {
  readonly virtual: boolean;
  readonly evidence: string;
}

/** The DMI fields hypervisors fill with their own names. */
const dmiFields = ['sys_vendor', 'product_name', 'board_vendor', 'bios_vendor'] as const;
const dmiDirectory = '/sys/class/dmi/id';

/** Vendor and product strings of hypervisors and clouds (after systemd's `detect_vm_dmi`). */
const hypervisorSignatures = [
  /qemu/i, /\bkvm\b/i, /vmware/i, /virtualbox/i, /innotek/i, /\bxen\b/i, /bochs/i, /parallels/i, /bhyve/i,
  /openstack/i, /kubevirt/i, /amazon ec2/i, /google compute engine/i, /hyper-v/i, /apple virtualization/i,
  // Hyper-V calls its product just that (its vendor, Microsoft, also makes physical machines).
  /^virtual machine$/i,
];

async function systemdDetectVirt(probes: MachineProbes): Promise<Observation> {
  // --vm: containers share the host's hardware, so they are not what a "no virtual machines" rule is about.
  const result = await probes.run('systemd-detect-virt', ['--vm']);
  if (!result) return { virtual: false, evidence: 'systemd-detect-virt: not available' };
  const answer = result.stdout.trim() || `exit code ${result.exitCode}`;
  return { virtual: result.exitCode === 0 && answer !== 'none', evidence: `systemd-detect-virt --vm: ${answer}` };
}

async function dmiStrings(probes: MachineProbes): Promise<Observation> {
  const values = await Promise.all(dmiFields.map(async (field) => ({ field, value: (await probes.readText(`${dmiDirectory}/${field}`))?.trim() })));
  const present = values.filter((entry) => entry.value);
  if (present.length === 0) return { virtual: false, evidence: `${dmiDirectory}: not available` };
  const matches = present.filter(({ value }) => hypervisorSignatures.some((signature) => signature.test(value ?? '')));
  if (matches.length === 0) return { virtual: false, evidence: `${dmiDirectory}: no hypervisor vendor or product (${present.map(({ field, value }) => `${field}=${value}`).join(', ')})` };
  return { virtual: true, evidence: `${dmiDirectory}: ${matches.map(({ field, value }) => `${field}=${value}`).join(', ')}` };
}

async function cpuHypervisorFlag(probes: MachineProbes): Promise<Observation> {
  const cpuinfo = await probes.readText('/proc/cpuinfo');
  if (cpuinfo === undefined) return { virtual: false, evidence: '/proc/cpuinfo: not available' };
  const flagged = cpuinfo.split('\n').some((line) => /^flags\s*:/.test(line) && /\shypervisor(\s|$)/.test(line));
  return { virtual: flagged, evidence: flagged ? '/proc/cpuinfo: hypervisor flag set' : '/proc/cpuinfo: no hypervisor flag' };
}

/**
 * Whether this machine is a virtual machine, by three independent probes: `systemd-detect-virt --vm`,
 * the DMI vendor and product strings, and the CPU's `hypervisor` flag. Any one positive probe makes it
 * virtual; `evidence` lists what every probe found, so the answer can be checked by a person.
 *
 * @example
 * ```ts
 * const { virtual, evidence } = await detectVirtualization(systemProbes);
 * ```
 */
export async function detectVirtualization(probes: MachineProbes): Promise<Virtualization> {
  const observations = await Promise.all([systemdDetectVirt(probes), dmiStrings(probes), cpuHypervisorFlag(probes)]);
  return { virtual: observations.some((observation) => observation.virtual), evidence: observations.map((observation) => observation.evidence) };
}
