#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+: cache compiled modules between runs (a nightly CLI starts often); older Nodes have no such switch.
module.enableCompileCache?.();

// A reader that stops early (`batchmatter diff | head`) closes the pipe: what is left to print has nowhere to go,
// which is no error of the command's. The command still finishes and saves its state; only its output is cut.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// The bundled CLI (scripts/bundle.mjs): a few modules load faster than tsc's ~400 files.
const { main } = await import('../dist/bundle/cli.js');

process.exitCode = await main(process.argv.slice(2));
