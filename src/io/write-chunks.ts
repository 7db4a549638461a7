import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** Text is written out once this much has gathered. */
const FLUSH_CHARS = 1 << 20;

/**
 * Writes `chunks` to `file` through a temporary file renamed over it, so a
 * reader finds the old file or the whole new one, as with write-file-atomic.
 * For the scan cache, whose JSON runs to tens of MB on a large site:
 * write-file-atomic takes the whole text at once, and that text with its
 * UTF-8 copy was 70 MB of a 50,000-file scan's peak memory.
 */
export function writeChunksAtomic(file: string, chunks: Iterable<string>): void {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    let pending = '';
    for (const chunk of chunks) {
      pending += chunk;
      if (pending.length >= FLUSH_CHARS) {
        writeAll(fd, pending);
        pending = '';
      }
    }
    writeAll(fd, pending);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, file);
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}
