import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printable } from '../src/io/terminal.js';
import { cliEnv, copyExample, repoRoot, runCli } from './helpers/cli.js';

describe('text from content files on a terminal', () => {
  it('shows control sequences as escapes, keeping colour and CRLF', () => {
    expect(printable('a\x1b]0;PWNED\x07b')).toBe('a\\u001b]0;PWNED\\u0007b');
    expect(printable('clear\x1b[2J now')).toBe('clear\\u001b[2J now');
    expect(printable('\x1b[31mred\x1b[39m')).toBe('\x1b[31mred\x1b[39m');
    expect(printable('line\r\nnext\rhidden\x9b2J\u2028')).toBe('line\r\nnext\\u000dhidden\\u009b2J\\u2028');
    expect(printable('tab\tand\nnewline')).toBe('tab\tand\nnewline');
  });

  it('diff prints no raw escape sequence from a post to a terminal, and pass the bytes through to a pipe', async () => {
    const dir = copyExample();
    const post = path.join(dir, 'examples/blog/posts/welcome.md');
    // A line in the body next to the front matter, so it is diff context.
    writeFileSync(post, `---\ntitle: Hello\ndate: 2023-11-07\n---\nBody \x1b]0;PWNED\x07 and \x1b[2J here, and enough prose to describe.\n`);
    expect((await runCli(['run', '--offline'], dir)).code).toBe(0);
    const bin = path.join(repoRoot, 'bin/batchmatter.js');
    const onTty = await new Promise<string>((resolve) => {
      execFile('script', ['-qc', `"${process.execPath}" "${bin}" diff --offline examples/blog/posts/welcome.md`, '/dev/null'], { cwd: dir, env: cliEnv({ TERM: 'xterm' }) }, (_e, stdout) => resolve(stdout));
    });
    expect(onTty).toContain('+description:');
    expect(onTty).toContain('\\u001b]0;PWNED\\u0007');
    expect(onTty).not.toContain('\x1b]0;');
    expect(onTty).not.toContain('\x1b[2J');
    const piped = await runCli(['diff', '--offline', 'examples/blog/posts/welcome.md'], dir);
    expect(piped.stdout).toContain('\x1b]0;PWNED\x07');
    // A page of HTML is not poured onto a terminal: it is written beside the state, and its path printed; piped, it is what was asked for.
    const page = await new Promise<string>((resolve) => {
      execFile('script', ['-qc', `"${process.execPath}" "${bin}" diff --offline --format html`, '/dev/null'], { cwd: dir, env: cliEnv({ TERM: 'xterm' }) }, (_e, stdout) => resolve(stdout));
    });
    expect(page).toMatch(/wrote \.batchmatter\/review\.html: \d+ proposed, 0 failed, 0 stale; open it in a browser/);
    expect(page).not.toContain('<!doctype html>');
    expect(readFileSync(path.join(dir, '.batchmatter/review.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect((await runCli(['diff', '--offline', '--format', 'html'], dir)).stdout).toMatch(/^<!doctype html>/);
  });
});
