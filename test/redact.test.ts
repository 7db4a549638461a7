import { describe, expect, it } from 'vitest';
import { describeError, redactSecrets } from '../src/io/api.js';

describe('redactSecrets', () => {
  const env = { ANTHROPIC_API_KEY: 'bm-test-key-SECRET123\nsecond-line-part' };

  it('takes the key out whole and line by line, wherever an error quotes it', () => {
    expect(redactSecrets('Headers.append: "Bearer bm-test-key-SECRET123\nsecond-line-part" is an invalid header value.', env)).toBe('Headers.append: "Bearer [redacted]" is an invalid header value.');
    expect(redactSecrets('x bm-test-key-SECRET123 y second-line-part z', env)).toBe('x [redacted] y [redacted] z');
    expect(redactSecrets('nothing to hide', env)).toBe('nothing to hide');
    // Short fragments are not treated as the key (they would blank out ordinary words).
    expect(redactSecrets('a b c', { ANTHROPIC_API_KEY: 'a\nb' })).toBe('a b c');
  });

  it('is applied to every API error description', () => {
    const previous = process.env.ANTHROPIC_AUTH_TOKEN;
    process.env.ANTHROPIC_AUTH_TOKEN = 'token-abcdefgh-1234';
    try {
      expect(describeError(new TypeError('bad header "Bearer token-abcdefgh-1234"', { cause: new Error('token-abcdefgh-1234 refused') }))).toBe('bad header "Bearer [redacted]" ([redacted] refused)');
    } finally {
      if (previous === undefined) delete process.env.ANTHROPIC_AUTH_TOKEN;
      else process.env.ANTHROPIC_AUTH_TOKEN = previous;
    }
  });
});
