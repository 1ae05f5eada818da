import type { Activation, Installation } from '@license-activation/contract/schemas';
import type { ActivatedLicense, InstallationRecord } from '../data/installations.js';
import type { LicenseRecord } from '../data/licenses.js';
import type { InstallationSnapshot } from '@license-activation/contract/license-mode';

export function toActivation(installationId: string, activated: ActivatedLicense): Activation {
  return { id: activated.activationId, licenseId: activated.licenseId, installationId, createdAt: activated.activatedAt };
}

/** Activations in the order they were made. */
export function activatedLicenses(record: InstallationRecord): ActivatedLicense[] {
  return Object.values(record.licenses).sort((a, b) => a.activationId.localeCompare(b.activationId));
}

/** The installation as the contract shows it. */
export function toInstallationView(record: InstallationRecord): Installation {
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
    activations: activatedLicenses(record).map((activated) => toActivation(record.id, activated)),
    ...(record.usage ? { usage: { activeUsers: record.usage.activeUsers, reportedAt: record.usage.reportedAt } } : {}),
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
  };
}

/** The terms and status of a license, as copied into the installation it is activated on. */
export function activatedLicense(license: LicenseRecord, activation: { activationId: string; activatedAt: string }): ActivatedLicense {
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
