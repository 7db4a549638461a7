import { describe, expect, it } from 'vitest';
import { errorsIn, problemLine, type FileProblem } from '../src/core/problem.js';

describe('problemLine', () => {
  const shown = (file: string) => `content/${file}`;

  it('prints a problem with a field as "<path>  <field>  <reason>"', () => {
    expect(problemLine({ file: 'a.md', task: 'seo', field: 'description', reason: 'missing', kind: 'missing' }, shown)).toBe('content/a.md  description  missing');
  });

  it('names the field of a problem that knows only its task, else the task itself', () => {
    const failure: FileProblem = { file: 'a.md', task: 'seo', reason: 'timed out', kind: 'failed' };
    expect(problemLine(failure, shown, (task) => (task === 'seo' ? 'seo.description' : undefined))).toBe('content/a.md  seo.description  timed out');
    expect(problemLine(failure, shown)).toBe('content/a.md  seo  timed out');
  });

  it('prints a problem of the file itself as "<path>: <reason>", or "<path>:<line>:<col> <reason>"', () => {
    expect(problemLine({ file: 'b.md', reason: 'binary content; skipped', kind: 'skipped', severity: 'warning' }, shown)).toBe('content/b.md: binary content; skipped');
    expect(problemLine({ file: 'c.md', reason: '3:7 unexpected end', kind: 'front-matter' }, shown)).toBe('content/c.md:3:7 unexpected end');
  });
});

describe('errorsIn', () => {
  it('keeps the errors and leaves the warnings out', () => {
    const error: FileProblem = { file: 'c.md', reason: 'could not read: EACCES', kind: 'unreadable' };
    expect(errorsIn([{ file: 'b.md', reason: 'empty file; skipped', kind: 'skipped', severity: 'warning' }, error])).toEqual([error]);
  });
});
