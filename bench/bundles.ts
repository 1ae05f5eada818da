import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { bundleConditions, functionBundling, functionRuntime } from '#cdk/constructs/service-function.js';
import { functionNames, functionNeeds } from '#cdk/function-permissions.js';
import type { FunctionName, FunctionNeeds } from '#cdk/function-permissions.js';

export const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));
/** Inside node_modules, so that bundles built with the SDK external resolve it as the Lambda runtime would. */
export const benchCacheDir = join(repositoryRoot, 'node_modules', '.cache', 'license-activation-bench');

/** Something to bundle: a function's entry, the floor of a kind of function, or one dependency alone. */
export interface BundleTarget {
  readonly id: string;
  /** Path of the entry, relative to the repository root, or absolute for generated entries. */
  readonly entry: string;
}

export interface Bundle {
  readonly id: string;
  /** The bundle's `index.mjs`. */
  readonly file: string;
  /** Minified size of `index.mjs`, without its source map. */
  readonly bytes: number;
  /** What the process evaluates when it imports the bundle: packages (`zod`) and our own files (`lib/…`). */
  readonly loadedAtInit: ReadonlySet<string>;
  /** What the bundle contains but evaluates only when a dynamic `import()` asks for it. */
  readonly loadedLazily: ReadonlySet<string>;
}

const functionEntry = (name: string) => `functions/${name}/index.ts`;
/** The folder of a bundle's output: its id, spelled for a file system. */
const folderOf = (id: string) => id.replace(/[^\w.+-]+/g, '_');

export const functionTargets: readonly BundleTarget[] = functionNames.map((name) => ({ id: name, entry: functionEntry(name) }));

/** The npm package a bundled file belongs to, or the file itself (relative to the root) for our own code. */
export function moduleOf(path: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path);
  return inPackage?.[1] ?? path;
}

/** The esbuild options `NodejsFunction` derives from `functionBundling` (aws-lambda-nodejs bundling.ts). */
function esbuildOptions(external: readonly string[]) {
  const nodeMajor = /nodejs(\d+)/.exec(functionRuntime.name)?.[1];
  if (!nodeMajor) throw new TypeError(`not a Node.js runtime: ${functionRuntime.name}`);
  return {
    bundle: true,
    platform: 'node' as const,
    target: `node${nodeMajor}`,
    format: functionBundling.format,
    mainFields: [...functionBundling.mainFields],
    conditions: [...bundleConditions],
    minify: functionBundling.minify,
    sourcemap: functionBundling.sourceMap,
    sourcesContent: functionBundling.sourcesContent,
    external: [...functionBundling.externalModules, ...external],
  };
}

/** Files reachable from `entry` through the import edges `follow` accepts. */
function reachable(metafile: Metafile, entry: string, follow: (kind: string) => boolean): Set<string> {
  const seen = new Set([entry]);
  const queue = [entry];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    for (const edge of metafile.inputs[path]?.imports ?? []) {
      if (edge.external || !follow(edge.kind) || seen.has(edge.path)) continue;
      seen.add(edge.path);
      queue.push(edge.path);
    }
  }
  return seen;
}

function describeOutput(id: string, file: string, metafile: Metafile, entry: string): Bundle {
  const output = metafile.outputs[relative(repositoryRoot, file)];
  if (!output) throw new TypeError(`esbuild wrote no ${file}`);
  // Tree shaking may drop everything of a file that is imported: only files with bytes in the output count.
  const kept = new Set(Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path));
  const atInit = [...reachable(metafile, entry, (kind) => kind !== 'dynamic-import')].filter((path) => kept.has(path));
  const anywhere = [...reachable(metafile, entry, () => true)].filter((path) => kept.has(path));
  const loadedAtInit = new Set(atInit.map(moduleOf));
  const loadedLazily = new Set(anywhere.map(moduleOf).filter((module) => !loadedAtInit.has(module)));
  return { id, file, bytes: output.bytes, loadedAtInit, loadedLazily };
}

/**
 * Builds every target as `cdk deploy` would build a function (one esbuild call, one output per
 * entry, nothing shared between them), into `outDir/<id>/index.mjs`. `write: false` keeps them
 * in memory when only their metafiles are wanted.
 */
export async function buildBundles(
  targets: readonly BundleTarget[],
  options: { outDir: string; external?: readonly string[]; write?: boolean },
): Promise<Map<string, Bundle>> {
  const write = options.write ?? true;
  if (write) await rm(options.outDir, { recursive: true, force: true });
  const result = await build({
    ...esbuildOptions(options.external ?? []),
    absWorkingDir: repositoryRoot,
    entryPoints: targets.map((target) => ({ in: target.entry, out: `${folderOf(target.id)}/index` })),
    outdir: options.outDir,
    outExtension: { '.js': '.mjs' },
    metafile: true,
    write,
    logLevel: 'warning',
  });
  return new Map(
    targets.map((target) => {
      const entry = relative(repositoryRoot, resolve(repositoryRoot, target.entry));
      return [target.id, describeOutput(target.id, join(options.outDir, folderOf(target.id), 'index.mjs'), result.metafile as Metafile, entry)];
    }),
  );
}

// ---------------------------------------------------------------- floors

/** A function's needs, as the interface rather than the literal type of its entry. */
export const needsOf = (name: FunctionName): FunctionNeeds => functionNeeds[name];

/** The AWS SDK clients a function's permissions say it needs: a floor bundle constructs these and nothing else. */
export function floorClientsOf(needs: FunctionNeeds): string[] {
  return [
    ...(needs.table ? ['dynamodb'] : []),
    ...(needs.signingKey || needs.secretBox ? ['kms'] : []),
  ];
}

const clientSource: Record<string, { imports: string; construct: string }> = {
  dynamodb: {
    imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    construct: 'DynamoDBDocumentClient.from(new DynamoDBClient({}))',
  },
  kms: { imports: "import { KMSClient } from '@aws-sdk/client-kms';", construct: 'new KMSClient({})' },
};

export const floorId = (clients: readonly string[]) => `floor-${clients.length === 0 ? 'none' : clients.join('+')}`;

/** One floor per distinct set of clients, and which floor each function is measured against. */
export async function writeFloorEntries(dir: string): Promise<{ targets: BundleTarget[]; floorOf: Map<FunctionName, string> }> {
  await mkdir(dir, { recursive: true });
  const targets = new Map<string, BundleTarget>();
  const floorOf = new Map<FunctionName, string>();
  for (const name of functionNames) {
    const clients = floorClientsOf(needsOf(name));
    const id = floorId(clients);
    floorOf.set(name, id);
    if (targets.has(id)) continue;
    const entry = join(dir, `${id}.mjs`);
    const source = [
      ...clients.map((client) => clientSource[client]?.imports),
      `export const clients = [${clients.map((client) => clientSource[client]?.construct).join(', ')}];`,
      "export const handler = async () => ({ statusCode: 200, body: '' });",
    ].join('\n');
    await writeFile(entry, `${source}\n`);
    targets.set(id, { id, entry });
  }
  return { targets: [...targets.values()], floorOf };
}

// ---------------------------------------------------------------- single dependencies

/** Each dependency a function may load at init, alone: what it costs, to explain the difference to the floor. */
export const dependencySources: Record<string, string> = {
  zod: "import { z } from 'zod';\nexport const schema = z.strictObject({ name: z.string() });",
  'packages/contract/src/schemas.ts': `export * from '${join(repositoryRoot, 'packages/contract/src/schemas.ts')}';`,
  jose: "export { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';",
  '@aws-lambda-powertools/logger': "import { Logger } from '@aws-lambda-powertools/logger';\nexport const logger = new Logger();",
  '@aws-lambda-powertools/metrics': "import { Metrics } from '@aws-lambda-powertools/metrics';\nexport const metrics = new Metrics();",
  '@middy/core': "import middy from '@middy/core';\nexport const wrapped = middy().handler(async () => ({}));",
  '@noble/curves': "export { p256 } from '@noble/curves/nist.js';",
};

export async function writeDependencyEntries(dir: string): Promise<BundleTarget[]> {
  await mkdir(dir, { recursive: true });
  return Promise.all(
    Object.entries(dependencySources).map(async ([name, source], index) => {
      const entry = join(dir, `dependency-${index}.mjs`);
      await writeFile(entry, `${source}\nexport const handler = async () => ({});\n`);
      return { id: `dependency:${name}`, entry };
    }),
  );
}
