import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repoRoot, 'bin', 'batchmatter.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment for the built CLI: no colour, no real key, no real endpoint unless given. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', BATCHMATTER_EMULATOR_BATCH_MS: '300' };
  for (const key of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'FORCE_COLOR']) delete env[key];
  return { ...env, ...extra };
}

/** Runs the built CLI (bin/batchmatter.js → dist/) as a user would. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: cliEnv(env), maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function spawnCli(args: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { cwd, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A temp copy of the repository's example project: config, templates and examples/blog. */
export function copyExample(edit: (config: string) => string = (c) => c): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'batchmatter-e2e-'));
  for (const item of ['batch.config.ts', 'templates', 'examples']) cpSync(path.join(repoRoot, item), path.join(dir, item), { recursive: true });
  const configFile = path.join(dir, 'batch.config.ts');
  writeFileSync(configFile, edit(readFileSync(configFile, 'utf8')));
  return dir;
}

/**
 * The example project with a chained task: `summary` first, then `description`, whose prompt shows the
 * summary (`dependsOn: ['summary']`, `{{tasks.summary}}`).
 */
export function copyChainedExample(): string {
  const dir = copyExample((config) =>
    config
      .replace("template: 'templates/description.hbs',", "template: 'templates/description.hbs',\n      dependsOn: ['summary'],")
      .replace('  tasks: {', "  tasks: {\n    summary: { include: 'posts/**/*.{md,mdx}', field: 'summary', template: 'templates/summary.hbs', output: { type: 'text', maxLength: 300 } },"),
  );
  writeFileSync(path.join(dir, 'templates/summary.hbs'), 'Summarize this article in at most 300 characters.\n<excerpt>\n{{excerpt}}\n</excerpt>\n');
  const template = path.join(dir, 'templates/description.hbs');
  writeFileSync(template, readFileSync(template, 'utf8').replace('<excerpt>', 'Summary written earlier: {{tasks.summary}}\n\n<excerpt>'));
  return dir;
}
