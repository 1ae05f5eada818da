import type { InstallationDeps } from './refresh-installation.js';
import { catalog } from '../platform/catalog.js';
import { config } from '../platform/config.js';
import { table } from '../platform/dynamodb.js';
import { signer } from '../keys/process-signer.js';

/** What the installation routes need: the table, the token signer, the catalog and the issuer name. */
export function installationDeps(): InstallationDeps {
  return { table: table(), signer: signer(), catalog: catalog(), issuer: config().tokenIssuer };
}
