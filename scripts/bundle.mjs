#!/usr/bin/env node
// `npm run build` step 2: the CLI and the scan worker as a few ES modules
// (dist/bundle/), which Node loads in 0.31 s instead of 0.52 s for ~400
// separate files (measured on the 2-core development machine: a nightly CLI
// starts often). dist/ (tsc's output) stays the library's entry and the types.
// jiti, the SDK, tinypool and sharp (a native addon) stay external: each loads files of its own by path.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start empty, or old chunks pile up.
rmSync('dist/bundle', { recursive: true, force: true });

/*
 * Code the CLI never runs, left out because Node parses every byte it loads
 * (Node 20 keeps no compile cache): zod's 40 translations of its messages
 * (only English is used, and zod imports it directly; a config's own zod
 * comes from node_modules, not from here), and the source-map library, which
 * Handlebars uses only to precompile templates to files and does without.
 */
const leaveOut = {
  name: 'leave-out',
  setup(build) {
    const empty = { namespace: 'left-out' };
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (args.importer.includes('/node_modules/zod/') ? { path: 'zod-locales', ...empty } : undefined));
    build.onResolve({ filter: /^source-map$/ }, (args) => (args.importer.includes('/node_modules/handlebars/') ? { path: 'source-map', ...empty } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({ contents: args.path === 'source-map' ? 'module.exports = {};' : 'export {};', loader: 'js' }));
  },
};

await build({
  entryPoints: ['dist/cli.js', 'dist/io/scan-worker.js'],
  outdir: 'dist/bundle',
  // Flat, so the scan worker sits next to the chunk that starts it (tree.ts: new URL('./scan-worker.js', import.meta.url)).
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's "main" is a UMD build that requires its own files by relative path.
  mainFields: ['module', 'main'],
  external: ['jiti', '@anthropic-ai/sdk', 'tinypool', 'sharp'],
  // CommonJS dependencies expect these; an ES module has none.
  banner: {
    js: [
      "import { createRequire as __bmCreateRequire } from 'node:module';",
      "import { fileURLToPath as __bmFileURLToPath } from 'node:url';",
      'const require = __bmCreateRequire(import.meta.url);',
      'const __filename = __bmFileURLToPath(import.meta.url);',
      "const __dirname = __bmFileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  plugins: [leaveOut],
  logLevel: 'warning',
});
