/**
 * The layers of src/ (docs/design.md): each may import only from the layers below it, and nothing imports in a
 * circle. `npm test` runs this (`npm run lint:deps`).
 *
 *   cli, api, index
 *   commands
 *   pipeline            (a session: scan, plan, submit, collect, apply)
 *   report, io, config  (I/O and rendering)
 *   core, frontmatter   (pure: no I/O)
 *   errors
 *
 * The emulator stands apart: it serves the HTTP API and shares only pure helpers.
 */
const layer = (name, below) => ({
  name: `${name}-imports-only-below`,
  comment: `src/${name} may import only from ${below.join(', ')}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...below.map((b) => `^src/${b}`)] },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import cycle works only by the order modules happen to load in', from: {}, to: { circular: true } },
    layer('core', ['errors.ts', 'frontmatter/']),
    layer('frontmatter', ['errors.ts']),
    layer('config', ['errors.ts', 'core/', 'frontmatter/']),
    layer('io', ['errors.ts', 'core/', 'frontmatter/', 'config/']),
    layer('report', ['errors.ts', 'core/', 'frontmatter/', 'config/', 'io/']),
    layer('pipeline', ['errors.ts', 'core/', 'frontmatter/', 'config/', 'io/', 'report/', 'emulator/']),
    layer('commands', ['errors.ts', 'core/', 'frontmatter/', 'config/', 'io/', 'report/', 'pipeline/', 'emulator/']),
    layer('emulator', ['errors.ts', 'core/', 'frontmatter/']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|test|node_modules)/' },
  },
};
