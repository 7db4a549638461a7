#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+: cache compiled modules between runs (a nightly CLI starts often); older Nodes have no such switch.
module.enableCompileCache?.();
// The bundled CLI (scripts/bundle.mjs): a few modules load faster than tsc's ~400 files.
const { main } = await import('../dist/bundle/cli.js');

process.exitCode = await main(process.argv.slice(2));
