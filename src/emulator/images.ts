/**
 * Image blocks in a Messages body, read as the API would: checked (source type, media type, base64, the bytes
 * being that format, size limits), counted in tokens, and described by the offline model from what it can
 * see without a vision model: the picture's shape and its main colours.
 */
import { imageSize } from 'image-size';

type Json = Record<string, unknown>;
// Not params.ts's: params.ts reads images through this module, and a cycle back would work only by luck of order.
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const MEDIA_TYPES: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };
const MAX_BYTES = 5 * 1024 * 1024;
const MAX_SIDE = 8000;
const API_EDGE = 1568;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** What the model is told about an image: its size, and (read when the request came in) its main colours. */
export interface ImageFacts {
  width: number;
  height: number;
  /** Colour names, most covered first. */
  colours?: string[];
}

function imageBlocks(params: unknown): Json[] {
  if (!isObject(params) || !Array.isArray(params.messages)) return [];
  return params.messages.flatMap((m) => (isObject(m) && Array.isArray(m.content) ? m.content.filter((b): b is Json => isObject(b) && b.type === 'image') : []));
}

/** An image block's bytes and size, or why the API would refuse it. */
function readBlock(block: Json, where: string): { bytes: Buffer; width: number; height: number } | string {
  const source = block.source;
  if (!isObject(source)) return `${where}.source: Field required`;
  if (source.type === 'url') return `${where}.source.type: url images are not fetched by this emulator; send base64`;
  if (source.type !== 'base64') return `${where}.source.type: Input should be 'base64' or 'url'`;
  const mediaType = source.media_type;
  if (typeof mediaType !== 'string' || !(mediaType in MEDIA_TYPES)) return `${where}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
  const data = source.data;
  if (typeof data !== 'string' || !data || data.length % 4 !== 0 || !BASE64.test(data)) return `${where}.source.data: not valid base64`;
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_BYTES) return `${where}.source.data: image exceeds 5 MB maximum: ${bytes.length} bytes > ${MAX_BYTES} bytes`;
  let size;
  try {
    size = imageSize(bytes);
  } catch {
    return `${where}.source.data: could not process image`;
  }
  if (size.type !== MEDIA_TYPES[mediaType]) return `${where}.source.media_type: the image was specified using the ${mediaType} media type, but the image appears to be a ${size.type ?? 'unknown'} image`;
  // EXIF orientations 5-8 show the picture turned a quarter.
  const turned = (size.orientation ?? 1) >= 5;
  const [width, height] = turned ? [size.height, size.width] : [size.width, size.height];
  if (width > MAX_SIDE || height > MAX_SIDE) return `${where}.source: image dimensions exceed max allowed size: ${MAX_SIDE} pixels`;
  return { bytes, width, height };
}

/** Why the API would refuse the body's images, or null. */
export function imagesProblem(params: unknown): string | null {
  if (!isObject(params) || !Array.isArray(params.messages)) return null;
  for (const [i, m] of params.messages.entries()) {
    if (!isObject(m) || !Array.isArray(m.content)) continue;
    for (const [j, block] of m.content.entries()) {
      if (!isObject(block) || block.type !== 'image') continue;
      const read = readBlock(block, `messages.${i}.content.${j}`);
      if (typeof read === 'string') return read;
    }
  }
  return null;
}

/** The images' sizes, as the API sees them (the long edge scaled to 1568 px); unreadable ones left out. */
export function imageSizes(params: unknown): ImageFacts[] {
  return imageBlocks(params).flatMap((block) => {
    const read = readBlock(block, 'image');
    if (typeof read === 'string') return [];
    const scale = Math.min(1, API_EDGE / Math.max(read.width, read.height));
    return [{ width: Math.round(read.width * scale), height: Math.round(read.height * scale) }];
  });
}

/** Input tokens of the body's images: width × height / 750 each, after the API's scaling. */
export function imageTokens(params: unknown): number {
  return imageSizes(params).reduce((sum, { width, height }) => sum + Math.ceil((width * height) / 750), 0);
}

const PALETTE: Array<[string, number, number, number]> = [
  ['black', 0, 0, 0],
  ['white', 255, 255, 255],
  ['grey', 128, 128, 128],
  ['red', 200, 30, 40],
  ['orange', 240, 140, 30],
  ['yellow', 240, 220, 50],
  ['green', 50, 160, 70],
  ['teal', 20, 140, 140],
  ['blue', 40, 90, 200],
  ['navy', 20, 30, 90],
  ['purple', 120, 60, 170],
  ['pink', 240, 130, 180],
  ['brown', 120, 75, 40],
];

function colourName(r: number, g: number, b: number): string {
  let best = PALETTE[0]!;
  let distance = Infinity;
  for (const entry of PALETTE) {
    const d = (r - entry[1]) ** 2 + (g - entry[2]) ** 2 + (b - entry[3]) ** 2;
    if (d < distance) [best, distance] = [entry, d];
  }
  return best[0];
}

/**
 * The body's images with their main colours: each shrunk to 16 × 16 pixels by sharp, every pixel named by the
 * nearest colour of a small palette, the names on a tenth of the pixels or more ordered by how many (ties by name). Done when the
 * request comes in (sharp is asynchronous) and kept with it, so the answer is the same in any process.
 */
export async function describeImages(params: unknown): Promise<ImageFacts[] | undefined> {
  const blocks = imageBlocks(params);
  if (!blocks.length) return undefined;
  const { default: sharp } = await import('sharp');
  const facts: ImageFacts[] = [];
  for (const block of blocks) {
    const read = readBlock(block, 'image');
    if (typeof read === 'string') continue;
    const counts = new Map<string, number>();
    try {
      const { data, info } = await sharp(read.bytes, { animated: false }).autoOrient().flatten({ background: '#ffffff' }).resize(16, 16, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      for (let p = 0; p + 2 < data.length; p += info.channels) {
        const name = colourName(data[p]!, data[p + 1]!, data[p + 2]!);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    } catch {
      // The size alone, then.
    }
    // A colour on under a tenth of the pixels is an edge blended by the shrinking, not a colour of the picture.
    const colours = [...counts].filter(([, n]) => n >= 26).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name]) => name);
    facts.push({ width: read.width, height: read.height, ...(colours.length ? { colours } : {}) });
  }
  return facts;
}

/** The offline model's alt text: the shape and the main colours, within the prompt's limit; never "image of". */
export function altText(images: readonly ImageFacts[], maxChars = 125): string {
  const parts = images.map(({ width, height, colours = [] }) => {
    const ratio = width / height;
    const shape = ratio > 1.6 ? 'Wide banner' : ratio > 1.1 ? 'Landscape graphic' : ratio < 0.65 ? 'Tall portrait graphic' : ratio < 0.9 ? 'Portrait graphic' : 'Square graphic';
    const [main, second, third] = colours;
    if (!main) return shape;
    const accents = [second, third].filter(Boolean);
    return `${shape} in ${main}${accents.length ? ` with ${accents.join(' and ')} accents` : ''}`;
  });
  const text = parts.join('; ');
  return text.length <= maxChars ? text : text.slice(0, maxChars).replace(/\s+\S*$/, '');
}
