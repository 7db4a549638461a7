import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function encode(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(bytes[i % bytes.length] ?? 0) % ALPHABET.length];
  return out;
}

/** Unique across processes sharing one data file, like the API's `msgbatch_01…` ids. */
export function randomId(prefix: string): string {
  return `${prefix}01${encode(randomBytes(22), 22)}`;
}

/** Same seed, same id: the model's answers must be reproducible in tests. */
export function stableId(prefix: string, seed: string): string {
  return `${prefix}01${encode(createHash('sha256').update(seed).digest(), 22)}`;
}

/** A 32-bit number derived from the seed, for deterministic shuffles. */
export function digest(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0);
}
