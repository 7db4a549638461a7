/**
 * The layers of src/ (docs/design.md): each may import only from the layers below it, and nothing imports in a
 * circle. `npm test` runs this (`npm run lint:deps`).
 *
 *   cli, api, index
 *   commands
 *   report              (the review page and reports, from a session's state and edits)
 *   pipeline            (a session: scan, plan, submit, collect, apply)
 *   io, config          (files, the API client, the lock; loading the config)
 *   emulator            (the embedded API: io starts it for --offline; it shares only pure helpers)
 *   core                (pure: no I/O)
 *   frontmatter, config/schema.ts (pure: reading and editing front matter; the config's declared shape)
 *   errors
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
    layer('frontmatter', ['errors.ts']),
    {
      name: 'config-schema-is-pure',
      comment: 'src/config/schema.ts declares the config: it imports nothing of ours',
      severity: 'error',
      from: { path: '^src/config/schema[.]ts$' },
      to: { path: '^src/' },
    },
    layer('core', ['errors.ts', 'frontmatter/', 'config/schema.ts']),
    layer('emulator', ['errors.ts', 'core/', 'frontmatter/', 'config/schema.ts']),
    layer('config', ['errors.ts', 'core/', 'frontmatter/']),
    layer('io', ['errors.ts', 'core/', 'frontmatter/', 'config/', 'emulator/']),
    layer('pipeline', ['errors.ts', 'core/', 'frontmatter/', 'config/', 'io/', 'emulator/']),
    layer('report', ['errors.ts', 'core/', 'frontmatter/', 'config/', 'io/', 'pipeline/']),
    layer('commands', ['errors.ts', 'core/', 'frontmatter/', 'config/', 'io/', 'report/', 'pipeline/', 'emulator/']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|test|node_modules)/' },
  },
};
