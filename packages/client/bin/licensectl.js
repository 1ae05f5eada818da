#!/usr/bin/env node
// The `licensectl` command. Plain JavaScript outside dist/, so that npm links it even before the build.
import process from 'node:process';
import { main } from '../dist/licensectl.js';

process.exitCode = await main(process.argv.slice(2));
