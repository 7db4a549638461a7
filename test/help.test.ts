import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/cli.js';

/** What each command's --help must offer: its name, exactly the options it takes, and two examples that use them. */
const SESSION = ['--config', '--cwd', '--offline', '--json', '--quiet', '--verbose'];
const OPTIONS: Record<string, string[]> = {
  init: ['--cwd', '--json', '--force', '--ci'],
  plan: [...SESSION, '--count-tokens', '--prompts', '--task', '--limit'],
  submit: [...SESSION, '--max-cost', '--task', '--limit'],
  status: [...SESSION, '--stats'],
  report: SESSION,
  cost: SESSION,
  sync: [...SESSION, '--max-cost'],
  run: [...SESSION, '--max-wait', '--apply', '--max-cost', '--task', '--limit'],
  check: [...SESSION, '--task'],
  diff: [...SESSION, '--format', '--out', '--max-chars', '--task'],
  apply: [...SESSION, '--propose', '--task'],
  proposal: SESSION,
  reject: [...SESSION, '--task', '--reason'],
  cancel: SESSION,
  // The state file's own branch: no API, so no --offline; --verbose has nothing more to say.
  state: ['--config', '--cwd', '--json', '--quiet', '--branch', '--remote', '--force'],
  emulator: ['--port', '--data', '--batch-ms'],
};

describe('--help', () => {
  it('lists every command, and each command names itself, its options and two examples that use them', async () => {
    const dir = repoRoot;
    const top = await runCli(['--help'], dir);
    expect(top.code).toBe(0);
    for (const name of Object.keys(OPTIONS)) expect(top.stdout).toMatch(new RegExp(`^\\s+${name}\\s{2,}\\S`, 'm'));

    const helps = await Promise.all(Object.keys(OPTIONS).map(async (name) => [name, await runCli([name, '--help'], dir)] as const));
    for (const [name, help] of helps) {
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toMatch(new RegExp(`^USAGE batchmatter ${name} `, 'm'));
      expect(help.stdout, name).not.toMatch(/\x1b\[/); // piped: no colour
      const optionsPart = help.stdout.slice(help.stdout.indexOf('OPTIONS'), help.stdout.indexOf('EXAMPLES'));
      const listed = [...optionsPart.matchAll(/^\s+(?:-[a-z], )?(--[a-z-]+)/gm)].map((m) => m[1]);
      expect(listed.sort(), name).toEqual([...OPTIONS[name]!].sort());
      // A default said once: citty's "(Default: x)", not also in the description.
      for (const line of optionsPart.split('\n')) expect(line, name).not.toMatch(/\(default[^)]*\).*\(Default/i);
      const examples = help.stdout.slice(help.stdout.indexOf('EXAMPLES')).split('\n').filter((l) => l.startsWith('  batchmatter '));
      expect(examples, name).toHaveLength(2);
      for (const example of examples) {
        expect(example, name).toMatch(new RegExp(`^  batchmatter ${name}\\b`));
        for (const flag of example.match(/--[a-z-]+/g) ?? []) expect(OPTIONS[name], `${name}: ${example}`).toContain(flag);
      }
    }
  });
});
