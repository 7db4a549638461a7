import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, UserError } from '../errors.js';
import type { CommandResult } from './result.js';

const packageTemplates = fileURLToPath(new URL('../../templates/', import.meta.url));

const STARTER = `import { defineConfig } from 'batchmatter';

export default defineConfig({
  content: {
    root: 'content',
    include: ['**/*.md', '**/*.mdx'],
  },
  tasks: {
    description: {
      field: 'description',
      // New descriptions go right under the title, where people write them by hand.
      insertAfter: ['title'],
      // Only where a page has none; 'invalid' also rewrites those that break the rules below.
      when: 'missing',
      template: 'templates/description.hbs',
      maxTokens: 120,
      output: {
        type: 'text',
        maxLength: 160,
        singleLine: true,
        forbidPrefixes: ['In this article', 'This guide'],
      },
    },
  },
});
`;

const WORKFLOWS = { github: { from: 'ci/github.yml', to: '.github/workflows/batchmatter.yml' } } as const;

/** `init --ci github`: the nightly workflow only; never overwrites without --force. */
async function initCi(dir: string, ci: string, force: boolean): Promise<CommandResult> {
  if (!(ci in WORKFLOWS)) throw new UserError(`--ci: expected ${Object.keys(WORKFLOWS).join(' or ')}, got "${ci}"`);
  const { from, to } = WORKFLOWS[ci as keyof typeof WORKFLOWS];
  const target = path.join(dir, to);
  if (existsSync(target) && !force) throw new UserError(`${to} already exists; pass --force to overwrite`);
  await mkdir(path.dirname(target), { recursive: true });
  await copyFile(path.join(packageTemplates, from), target);
  return {
    exitCode: ExitCode.ok,
    data: { written: [to] },
    text: `wrote ${to}\nnext: add the repository secret ANTHROPIC_API_KEY, choose MODE at the top of the file (commit, or pull-request: then turn on Settings > Actions > General > "Allow GitHub Actions to create and approve pull requests"), and commit it. The state travels on the branch batchmatter-state: leave it unprotected`,
  };
}

/** Writes a starter config and the description template (or, with --ci, a CI workflow); never overwrites without --force. */
export async function initCommand(cwd: string, force: boolean, ci?: string): Promise<CommandResult> {
  const dir = path.resolve(cwd);
  if (ci !== undefined) return initCi(dir, ci, force);
  const configFile = path.join(dir, 'batch.config.ts');
  const template = path.join(dir, 'templates', 'description.hbs');
  const existing = [configFile, template].filter((f) => existsSync(f));
  if (existing.length && !force) {
    throw new UserError(`${existing.map((f) => path.relative(dir, f)).join(', ')} already exist; pass --force to overwrite`);
  }
  await mkdir(path.dirname(template), { recursive: true });
  await writeFile(configFile, STARTER);
  await copyFile(path.join(packageTemplates, 'description.hbs'), template);
  const written = [configFile, template].map((f) => path.relative(dir, f));
  return {
    exitCode: ExitCode.ok,
    data: { written },
    text: `wrote ${written.join(', ')}\nnext: set content.root, then "batchmatter plan" (add --offline to try it without a key), and "batchmatter run --limit 20" to try the prompt on a sample before the whole site`,
  };
}
