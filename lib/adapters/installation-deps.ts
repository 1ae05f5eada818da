import type { InstallationDeps } from '../installations/refresh-installation.js';
import { catalog } from './catalog.js';
import { config } from './config.js';
import { table } from './dynamodb.js';
import { signer } from './signer.js';

/** What the installation routes need: the table, the token signer, the catalog and the issuer name. */
export function installationDeps(): InstallationDeps {
  return { table: table(), signer: signer(), catalog: catalog(), issuer: config().tokenIssuer };
}
