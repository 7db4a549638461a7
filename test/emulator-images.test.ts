import Anthropic, { BadRequestError } from '@anthropic-ai/sdk';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function client(): Promise<Anthropic> {
  const emulator = await startEmulator({ batchDurationMs: 60, faults: { rules: [] } });
  running.push(emulator);
  return new Anthropic({ apiKey: 'test-key', baseURL: emulator.url, maxRetries: 0 });
}

const PROMPT = 'Write the alt text for the image above, at most 125 characters.';
type MediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
const withImage = (data: string, mediaType: MediaType = 'image/png') => ({
  model: 'claude-haiku-4-5',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: [{ type: 'image' as const, source: { type: 'base64' as const, media_type: mediaType, data } }, { type: 'text' as const, text: PROMPT }] }],
});

/** Two thirds one colour, a third another: the first is the main colour, the second the accent. */
async function banner(width: number, height: number, main: string, accent: string): Promise<string> {
  const top = Math.round((height * 2) / 3);
  const png = await sharp({ create: { width, height, channels: 3, background: main } })
    .composite([{ input: await sharp({ create: { width, height: height - top, channels: 3, background: accent } }).png().toBuffer(), top, left: 0 }])
    .png()
    .toBuffer();
  return png.toString('base64');
}

describe('emulator: image blocks through the real SDK', () => {
  it('answers from the image: its shape and main colours, the same every time', async () => {
    const api = await client();
    const wide = await banner(1200, 600, '#c81e28', '#285ac8');
    const first = await api.messages.create(withImage(wide));
    const text = first.content[0]?.type === 'text' ? first.content[0].text : '';
    expect(text).toBe('Wide banner in red with blue accents');
    expect((await api.messages.create(withImage(wide))).content).toEqual(first.content);
    const square = await api.messages.create(withImage(await banner(400, 400, '#32a046', '#f0dc32')));
    expect(square.content[0]).toMatchObject({ type: 'text', text: 'Square graphic in green with yellow accents' });
  });

  it('counts an image as width × height / 750 input tokens, after scaling the long edge to 1568 px', async () => {
    const api = await client();
    const text = { model: 'claude-haiku-4-5', messages: [{ role: 'user' as const, content: PROMPT }] };
    const base = (await api.messages.countTokens(text)).input_tokens;
    const small = await api.messages.countTokens({ ...withImage(await banner(750, 100, '#000', '#fff')) });
    // The text block is counted as the plain prompt was, give or take the join.
    expect(small.input_tokens - base).toBeGreaterThanOrEqual(100);
    expect(small.input_tokens - base).toBeLessThanOrEqual(101);
    const large = await api.messages.countTokens({ ...withImage(await banner(3136, 2090, '#000', '#fff')) });
    expect(large.input_tokens - base).toBeGreaterThanOrEqual(Math.ceil((1568 * 1045) / 750));
    expect(large.input_tokens - base).toBeLessThanOrEqual(Math.ceil((1568 * 1045) / 750) + 1);
    const answered = await api.messages.create(withImage(await banner(750, 100, '#000', '#fff')));
    expect(answered.usage.input_tokens).toBe(small.input_tokens);
  });

  it('refuses a wrong media type, bad base64, a non-image and a URL source, as the API does', async () => {
    const api = await client();
    const png = await banner(20, 20, '#000', '#fff');
    const refused = async (params: unknown) => {
      const error = await api.messages.create(params as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      return (error as BadRequestError).message;
    };
    expect(await refused(withImage(png, 'image/jpeg'))).toMatch(/messages\.0\.content\.0\.source\.media_type: the image was specified using the image\/jpeg media type, but the image appears to be a png image/);
    expect(await refused(withImage('not base64!'))).toMatch(/messages\.0\.content\.0\.source\.data: not valid base64/);
    expect(await refused(withImage(Buffer.from('plain text, no image').toString('base64')))).toMatch(/could not process image/);
    expect(await refused(withImage(png, 'image/tiff' as MediaType))).toMatch(/media_type: Input should be/);
    const url = withImage(png);
    (url.messages[0]!.content[0] as unknown as { source: unknown }).source = { type: 'url', url: 'https://example.com/a.png' };
    expect(await refused(url)).toMatch(/url images are not fetched/);
  });
});
