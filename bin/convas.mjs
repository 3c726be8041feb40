#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's ESM loader, so there is no build step; works from any directory.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
