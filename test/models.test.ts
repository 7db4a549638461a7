import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../src/core/cost.js';
import { KNOWN_MODELS, knownModelNames, resolveModel, suggestModel } from '../src/core/models.js';

describe('known models', () => {
  it('resolves an alias to its dated snapshot where one is known, else to itself', () => {
    expect(resolveModel('claude-haiku-4-5')).toBe('claude-haiku-4-5-20251001');
    expect(resolveModel('claude-sonnet-4-5')).toBe('claude-sonnet-4-5-20250929');
    expect(resolveModel('claude-opus-4-5')).toBe('claude-opus-4-5-20251101');
    for (const alias of ['claude-sonnet-4-6', 'claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8']) expect(resolveModel(alias)).toBe(alias);
  });

  it('resolves a dated id to itself, and an extra name only when given', () => {
    expect(resolveModel('claude-haiku-4-5-20251001')).toBe('claude-haiku-4-5-20251001');
    expect(resolveModel('my-fine-model')).toBeUndefined();
    expect(resolveModel('my-fine-model', ['my-fine-model'])).toBe('my-fine-model');
    // A known name given as extra still resolves to its snapshot.
    expect(resolveModel('claude-haiku-4-5', ['claude-haiku-4-5'])).toBe('claude-haiku-4-5-20251001');
  });

  it('matches names exactly, as the API does: a near miss does not resolve', () => {
    for (const name of ['claude-haiku-4.5', 'Claude-Haiku-4-5', 'claude-haiku-4-5 ', 'claude-haiku-4-5-2025100', '']) expect(resolveModel(name), name).toBeUndefined();
  });

  it('knows every model batchmatter has a price for, each name once', () => {
    expect(KNOWN_MODELS.map((m) => m.alias).sort()).toEqual(Object.keys(DEFAULT_PRICES).sort());
    const names = knownModelNames(['x', 'claude-opus-4-8']);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['claude-opus-4-5', 'claude-opus-4-5-20251101', 'claude-opus-4-8', 'x']));
    for (const m of KNOWN_MODELS) expect(m.displayName).toMatch(/^Claude (Haiku|Sonnet|Opus) \d\.\d$/);
  });
});

describe('suggestModel', () => {
  it('finds the name a near miss was meant to be', () => {
    for (const miss of ['claude-haiku-4.5', 'claude-haiku-45', 'claude-haku-4-5', 'Claude-Haiku-4-5', 'claude_haiku_4_5', 'Claude Haiku 4.5', 'haiku-4-5', 'claude-haiku-4-5.']) {
      expect(suggestModel(miss), miss).toBe('claude-haiku-4-5');
    }
    expect(suggestModel('claude-sonnet-4.6')).toBe('claude-sonnet-4-6');
    expect(suggestModel('claude-opus-4-5-2025110')).toBe('claude-opus-4-5-20251101');
  });

  it('says nothing when no name is close, or the name is already right', () => {
    for (const name of ['m', 'gpt-4o', 'claude-3-haiku-20240307', 'claude-instant-1', '']) expect(suggestModel(name), name).toBeUndefined();
    expect(suggestModel('claude-haiku-4-5')).toBeUndefined();
  });

  it('looks among the given candidates only', () => {
    expect(suggestModel('my-fine-modle', ['claude-haiku-4-5', 'my-fine-model'])).toBe('my-fine-model');
    expect(suggestModel('claude-haiku-4.5', ['claude-opus-4-8'])).toBeUndefined();
    // The nearest wins; on a tie, the first candidate.
    expect(suggestModel('claude-opus-4-88', ['claude-opus-4-7', 'claude-opus-4-8'])).toBe('claude-opus-4-8');
    expect(suggestModel('claude-opus-4-9', ['claude-opus-4-7', 'claude-opus-4-8'])).toBe('claude-opus-4-7');
  });
});
