import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateError } from '../src/core/template.js';

const compileError = (source: string): string => {
  try {
    compileTemplate(source, 'templates/d.hbs');
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return (error as Error).message;
  }
  throw new Error('compiled without an error');
};

const renderError = (source: string, vars: Record<string, unknown>): string => {
  try {
    compileTemplate(source, 'templates/d.hbs')(vars);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return (error as Error).message;
  }
  throw new Error('rendered without an error');
};

describe('template errors say where and what to do', () => {
  it.each([
    ['Describe this.\n{{title}\n{{excerpt}}', 2, '{{title}', 'a {{ is closed with a single }: write }}'],
    ['Intro\n{{#if draft}}\nDraft.\n\nMore.', 2, '{{#if draft}}', '{{#if}} is never closed: add {{/if}} where the block ends'],
    ['Intro\n{{#each tags}}{{this}}{{/if}}', 2, '{{#each tags}}{{this}}{{/if}}', '{{#each}} is closed by {{/if}}: close each block with its own name'],
    ['Title: {{{title}}', 1, 'Title: {{{title}}', '{{{ is closed with }}: write }}} (or {{ … }} on both sides)'],
    ['a\n\nb {{}}', 3, 'b {{}}', 'a {{ … }} is empty or ends too early: put a variable name in it, like {{title}}'],
  ])('%j: line, the line itself and a hint, not the parser tokens', (source, line, quoted, hint) => {
    // Handlebars itself refuses each of these: the message is ours, the verdict the library's.
    expect(() => Handlebars.precompile(source)).toThrow();
    const message = compileError(source);
    expect(message).toBe(`template templates/d.hbs: syntax error on line ${line} (${quoted}): ${hint}`);
    expect(message).not.toMatch(/Expecting|CLOSE|INVALID|EOF/);
  });

  it('a variable a file lacks names its full path and line, and the {{#if}} that leaves it out', () => {
    const source = 'About {{title}}.\nBy {{data.author.name}}.';
    expect(renderError(source, { data: {} })).toBe(
      'template templates/d.hbs: references "title" on line 1, which this file does not have; wrap what uses it in {{#if title}}…{{/if}} to leave it out where it is missing',
    );
    const message = renderError(source, { title: 'T', data: {} });
    expect(message).toMatch(/references "data\.author\.name" on line 2, .* \{\{#if data\.author\}\}…\{\{\/if\}\}/);
    expect(renderError(source, { title: 'T', data: { author: {} } })).toMatch(/\{\{#if data\.author\.name\}\}…\{\{\/if\}\}/);
  });

  it('the suggested {{#if}} works: wrapped as the hint says, the file renders without the part', () => {
    for (const [vars, path] of [
      [{ title: 'T', data: {} }, 'data.author.name'],
      [{ title: 'T', data: { author: {} } }, 'data.author.name'],
      [{ data: { author: { name: 'A' } } }, 'title'],
    ] as const) {
      const source = `Post: {{${path}}}.`;
      const guard = /\{\{#if ([^}]+)\}\}/.exec(renderError(source, vars))![1]!;
      expect(compileTemplate(`{{#if ${guard}}}${source}{{/if}}`, 'templates/d.hbs')(vars)).toBe('');
    }
    expect(compileTemplate('{{#if data.author}}By {{data.author.name}}.{{/if}}', 'templates/d.hbs')({ data: { author: { name: 'A' } } })).toBe('By A.');
  });
});
