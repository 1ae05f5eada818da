import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { detectVirtualization, machineFingerprint } from '../../../packages/client/src/machine-facts.js';
import { fixtureProbes } from './client-fixtures.js';

const machineId = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const noFallback = () => Promise.reject(new Error('the fallback must not be used'));

describe('machineFingerprint', () => {
  it('hashes /etc/machine-id with the product, never giving the raw id away', async () => {
    const probes = fixtureProbes({ files: { '/etc/machine-id': `${machineId}\n` } });

    const { fingerprint, source } = await machineFingerprint('vault', probes, noFallback);

    expect(source).toBe('/etc/machine-id');
    expect(fingerprint).toBe(createHmac('sha256', machineId).update('vault').digest('base64url'));
    expect(fingerprint).not.toContain(machineId);
  });

  it('gives each product its own fingerprint of the same machine, and the same one every time', async () => {
    const probes = fixtureProbes({ files: { '/etc/machine-id': machineId } });

    const vault = await machineFingerprint('vault', probes, noFallback);
    const again = await machineFingerprint('vault', probes, noFallback);
    const modeler = await machineFingerprint('modeler', probes, noFallback);

    expect(again.fingerprint).toBe(vault.fingerprint);
    expect(modeler.fingerprint).not.toBe(vault.fingerprint);
  });

  it('falls back to the D-Bus machine id when /etc/machine-id is missing or uninitialized', async () => {
    const probes = fixtureProbes({ files: { '/etc/machine-id': 'uninitialized\n', '/var/lib/dbus/machine-id': machineId } });

    expect(await machineFingerprint('vault', probes, noFallback)).toMatchObject({ source: '/var/lib/dbus/machine-id' });
  });

  it('uses the id kept in the state directory on a machine without a machine id', async () => {
    const fallback = vi.fn(async () => 'random-id-kept-in-state');
    const probes = fixtureProbes({ files: { '/etc/machine-id': '00000000000000000000000000000000' } });

    const result = await machineFingerprint('vault', probes, fallback);

    expect(result).toEqual({ source: 'state-dir', fingerprint: createHmac('sha256', 'random-id-kept-in-state').update('vault').digest('base64url') });
    expect(fallback).toHaveBeenCalledOnce();
  });
});

describe('detectVirtualization', () => {
  it('reports a KVM guest found by all three probes, with what each found', async () => {
    const probes = fixtureProbes({
      commands: { 'systemd-detect-virt --vm': { exitCode: 0, stdout: 'kvm\n' } },
      files: {
        '/sys/class/dmi/id/sys_vendor': 'QEMU\n',
        '/sys/class/dmi/id/product_name': 'Standard PC (Q35 + ICH9, 2009)\n',
        '/proc/cpuinfo': 'processor\t: 0\nflags\t\t: fpu vme de pse tsc hypervisor lahf_lm\n',
      },
    });

    expect(await detectVirtualization(probes)).toEqual({
      virtual: true,
      evidence: ['systemd-detect-virt --vm: kvm', '/sys/class/dmi/id: sys_vendor=QEMU', '/proc/cpuinfo: hypervisor flag set'],
    });
  });

  it('reports a physical machine, with what each probe looked at', async () => {
    const probes = fixtureProbes({
      commands: { 'systemd-detect-virt --vm': { exitCode: 1, stdout: 'none\n' } },
      files: { '/sys/class/dmi/id/sys_vendor': 'Dell Inc.', '/sys/class/dmi/id/product_name': 'PowerEdge R650', '/proc/cpuinfo': 'flags\t\t: fpu vme de pse\n' },
    });

    expect(await detectVirtualization(probes)).toEqual({
      virtual: false,
      evidence: ['systemd-detect-virt --vm: none', '/sys/class/dmi/id: no hypervisor vendor or product (sys_vendor=Dell Inc., product_name=PowerEdge R650)', '/proc/cpuinfo: no hypervisor flag'],
    });
  });

  it.each([
    ['VMware DMI strings', { '/sys/class/dmi/id/sys_vendor': 'VMware, Inc.', '/sys/class/dmi/id/product_name': 'VMware Virtual Platform' }],
    ['a VirtualBox product', { '/sys/class/dmi/id/product_name': 'VirtualBox', '/sys/class/dmi/id/sys_vendor': 'innotek GmbH' }],
    ['a Hyper-V product', { '/sys/class/dmi/id/sys_vendor': 'Microsoft Corporation', '/sys/class/dmi/id/product_name': 'Virtual Machine' }],
    ['an EC2 instance', { '/sys/class/dmi/id/sys_vendor': 'Amazon EC2', '/sys/class/dmi/id/product_name': 'm6i.large' }],
    ['the hypervisor CPU flag alone', { '/proc/cpuinfo': 'flags\t\t: fpu hypervisor\n' }],
  ])('finds a virtual machine from %s when systemd-detect-virt is missing', async (_, files) => {
    const result = await detectVirtualization(fixtureProbes({ files }));

    expect(result.virtual).toBe(true);
    expect(result.evidence[0]).toBe('systemd-detect-virt: not available');
  });

  it('does not take a Microsoft laptop for a Hyper-V guest', async () => {
    const probes = fixtureProbes({ files: { '/sys/class/dmi/id/sys_vendor': 'Microsoft Corporation', '/sys/class/dmi/id/product_name': 'Surface Laptop 5' } });

    expect((await detectVirtualization(probes)).virtual).toBe(false);
  });

  it('says so when it could look at nothing, rather than claim a physical machine silently', async () => {
    expect(await detectVirtualization(fixtureProbes())).toEqual({
      virtual: false,
      evidence: ['systemd-detect-virt: not available', '/sys/class/dmi/id: not available', '/proc/cpuinfo: not available'],
    });
  });
});
