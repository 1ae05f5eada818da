#!/usr/bin/env node
// The `licensectl` command: runs the TypeScript entry through tsx, in this process, so that
// `npx licensectl` works straight after `npm ci`, with no build step.
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('./licensectl.ts');
process.exitCode = await main(process.argv.slice(2));
