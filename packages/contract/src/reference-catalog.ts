import type { z } from 'zod';
import type { Catalog } from './catalog-schema.js';

export { productById, restrictedCapabilities } from './product-queries.js';

/**
 * The catalog the contract describes (API.md section 3), shipped as the default and used by the tests.
 * Each product follows its vendor manual in ../shared/seeds (beside the repository). The `Catalog` schema checks it at build
 * and test time (test/unit/catalog, and `cdk synth` parses the catalog it deploys), so an inconsistent
 * edit never reaches an installation; the functions use it as it is, without loading the schema.
 */

const vaultExpress = ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import'];
const vaultProfessional = [...vaultExpress, 'ad-sync', 'web-services'];
const vaultPremium = [...vaultProfessional, 'session-recording'];

const definition = {
  // Seed 000: a 90-day trial with 25 trial user seats; after it, only the administrator can sign in, to activate.
  // Users packs activate the server, and trial seats already used count against the first one.
  authserver: {
    id: 'authserver',
    name: 'Authentication Server',
    licenseTypes: ['users'],
    baseLicenseType: 'users',
    seatLicenseType: 'users',
    capabilities: ['admin-login', 'activation', 'user-login', 'otp-verification', 'user-provisioning', 'reporting'],
    addOns: {},
    trial: { days: 90, seats: 25 },
    limitedMode: { allowed: ['admin-login', 'activation'] },
    virtualMachines: 'allowed',
    seatOverage: 'warn',
    clones: 'warn',
    support: false,
    // A server unseen for 60 days (crashed, wiped) gives its slot back to the next activation.
    leaseDays: 60,
  },
  // Seed 001: an edition license, users packs, support seats (updates need as many as user seats) and add-ons;
  // unactivated licenses leave the vault in limited mode without AD sync, secret edits, imports and web services.
  vault: {
    id: 'vault',
    name: 'Secret Vault',
    licenseTypes: ['edition', 'users', 'support', 'site', 'engine'],
    baseLicenseType: 'edition',
    seatLicenseType: 'users',
    capabilities: vaultPremium,
    editions: {
      express: { rank: 1, capabilities: vaultExpress },
      professional: { rank: 2, capabilities: vaultProfessional },
      premium: { rank: 3, capabilities: vaultPremium },
    },
    addOns: { site: 'sites', engine: 'distributed-engines' },
    trial: { days: 30, seats: 5, edition: 'professional' },
    limitedMode: { restricted: ['ad-sync', 'secret-write', 'secret-import', 'web-services'] },
    virtualMachines: 'allowed',
    seatOverage: 'warn',
    clones: 'warn',
    support: true,
  },
  // Seed 002: server licenses whose quantity is the number of concurrent users, which cannot be exceeded;
  // not on virtual machines; older versions than the license server's are warned about.
  modeler: {
    id: 'modeler',
    name: 'Process Modeler',
    licenseTypes: ['server'],
    baseLicenseType: 'server',
    seatLicenseType: 'server',
    capabilities: ['admin-login', 'activation', 'model-editing', 'model-viewing', 'database-import'],
    addOns: {},
    limitedMode: { allowed: ['admin-login', 'activation'] },
    virtualMachines: 'denied',
    minVersion: '4.6.0',
    seatOverage: 'limit',
    // Copies of one server (a cloned machine, a backup running beside it) limit it, as its seats do.
    clones: 'limit',
    support: false,
    leaseDays: 14,
  },
} satisfies z.input<typeof Catalog>;

export const referenceCatalog: Catalog = definition;
