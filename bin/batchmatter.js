#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+: cache compiled modules between runs (a nightly CLI starts often); older Nodes have no such switch.
module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');

process.exitCode = await main(process.argv.slice(2));
