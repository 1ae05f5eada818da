import type { Activation, Installation } from '@license-activation/contract/schemas';
import type { ActivatedLicense, InstallationRecord } from '../data/installations.js';
import type { LicenseRecord } from '../data/licenses.js';
import type { InstallationSnapshot } from '@license-activation/contract/license-mode';
import type { Catalog } from '@license-activation/contract/catalog-schema';
import { productById } from '@license-activation/contract/product-queries';
import { lapsesAtMs, leaseMsOf } from './slots.js';

/** What showing activations needs besides the installation: the time, and its product's lease. */
export interface SlotView {
  readonly now: Date;
  readonly leaseMs: number | undefined;
}

export function slotView(catalog: Catalog, productId: string, now: Date): SlotView {
  const product = productById(catalog, productId);
  return { now, leaseMs: product && leaseMsOf(product) };
}

/** An activation as the contract shows it: when its installation was last seen, and since when its lease lapsed. */
export function toActivation(record: InstallationRecord, activated: ActivatedLicense, view: SlotView): Activation {
  const lapsesAt = lapsesAtMs({ lastSeenAt: record.lastSeenAt, tokenExp: record.tokenExp, createdAt: activated.activatedAt }, view.leaseMs);
  return {
    id: activated.activationId,
    licenseId: activated.licenseId,
    installationId: record.id,
    createdAt: activated.activatedAt,
    lastSeenAt: record.lastSeenAt,
    ...(activated.method !== undefined ? { method: activated.method } : {}),
    ...(lapsesAt !== undefined && lapsesAt < view.now.getTime() ? { lapsedAt: new Date(lapsesAt).toISOString() } : {}),
  };
}

/** Released activations that still hold their slot, as the contract shows them. */
function releasedActivations(record: InstallationRecord, view: SlotView): Activation[] {
  return Object.values(record.released ?? {})
    .filter((released) => Date.parse(released.freesAt) > view.now.getTime())
    .map((released) => ({
      id: released.activationId,
      licenseId: released.licenseId,
      installationId: record.id,
      createdAt: released.activatedAt,
      lastSeenAt: record.lastSeenAt,
      releasedAt: released.releasedAt,
      freesAt: released.freesAt,
      ...(released.method !== undefined ? { method: released.method } : {}),
    }));
}

/** Activations in the order they were made. */
export function activatedLicenses(record: InstallationRecord): ActivatedLicense[] {
  return Object.values(record.licenses).sort((a, b) => a.activationId.localeCompare(b.activationId));
}

/** The installation as the contract shows it. */
export function toInstallationView(record: InstallationRecord, view: SlotView): Installation {
  return {
    id: record.id,
    productId: record.productId,
    ...(record.customerId !== undefined ? { customerId: record.customerId } : {}),
    hostname: record.hostname,
    version: record.version,
    virtual: record.virtual,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    ...(record.trial ? { trial: { startedAt: record.trial.startedAt, endsAt: record.trial.endsAt } } : {}),
    activations: [...activatedLicenses(record).map((activated) => toActivation(record, activated, view)), ...releasedActivations(record, view)],
    ...(record.usage ? { usage: { activeUsers: record.usage.activeUsers, reportedAt: record.usage.reportedAt } } : {}),
    ...(record.tokenExp !== undefined ? { tokenExpiresAt: new Date(record.tokenExp * 1000).toISOString() } : {}),
    ...(record.chain?.cloneDetectedAt !== undefined ? { clone: { detectedAt: record.chain.cloneDetectedAt, forks: record.chain.forks } } : {}),
  };
}

/** What the license-mode decision reads from an installation. */
export function toSnapshot(record: InstallationRecord): InstallationSnapshot {
  return {
    productId: record.productId,
    version: record.version,
    ...(record.trial ? { trial: record.trial } : {}),
    licenses: activatedLicenses(record).map((activated) => ({
      id: activated.licenseId,
      type: activated.type,
      quantity: activated.quantity,
      ...(activated.edition !== undefined ? { edition: activated.edition } : {}),
      status: activated.status,
      ...(activated.expiresAt !== undefined ? { expiresAt: activated.expiresAt } : {}),
    })),
    ...(record.usage ? { usage: record.usage } : {}),
    ...(record.chain?.cloneDetectedAt !== undefined ? { cloneDetected: true } : {}),
  };
}

/** The terms and status of a license, as copied into the installation it is activated on. */
export function activatedLicense(license: LicenseRecord, activation: Pick<ActivatedLicense, 'activationId' | 'activatedAt' | 'method'>): ActivatedLicense {
  return {
    licenseId: license.id,
    ...activation,
    type: license.type,
    quantity: license.quantity,
    ...(license.edition !== undefined ? { edition: license.edition } : {}),
    status: license.status,
    ...(license.expiresAt !== undefined ? { expiresAt: license.expiresAt } : {}),
  };
}

/** The installation with its copies of these licenses brought up to date. */
export function withCurrentLicenses(record: InstallationRecord, licenses: readonly LicenseRecord[]): InstallationRecord {
  const current = { ...record.licenses };
  for (const license of licenses) {
    const activated = current[license.id];
    if (activated) current[license.id] = activatedLicense(license, activated);
  }
  return { ...record, licenses: current };
}
