import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { imageRefs, refProblem } from '../core/images.js';
import type { Project } from '../config/load.js';
import { findImage, imageRoots } from '../io/images.js';
import { parseFrontMatter } from '../frontmatter/read.js';

/** Long edge of a thumbnail: enough to judge an alt text, small enough for hundreds in one page (~2–6 KB each). */
const THUMB_EDGE = 160;

export interface Thumbnail {
  /** The image's path as the front matter writes it. */
  ref: string;
  /** A `data:image/webp;base64,…` URI: the page stays one offline file. */
  src: string;
  width: number;
  height: number;
}

/**
 * The thumbnails of the images each entry's file names now, for entries of tasks with `image` (the images the answer
 * describes, unless one changed since: then the entry is asked again anyway); undefined for the others. An image
 * that cannot be found or read is left out.
 */
export async function entryThumbnails(project: Project, entries: ReadonlyArray<{ task: string; file: string }>): Promise<Array<Thumbnail[] | undefined>> {
  const tasks = new Map(project.tasks.filter((t) => t.config.image).map((t) => [t.name, t]));
  if (!tasks.size) return entries.map(() => undefined);
  const { default: sharp } = await import('sharp');
  const limit = pLimit(2);
  const made = new Map<string, Promise<Thumbnail | undefined>>();
  const thumbnail = (ref: string, abs: string) => {
    let found = made.get(abs);
    if (!found) {
      found = limit(async () => {
        try {
          const { data, info } = await sharp(await readFile(abs), { animated: false })
            .autoOrient()
            .resize({ width: THUMB_EDGE, height: THUMB_EDGE, fit: 'inside', withoutEnlargement: true })
            .webp({ quality: 55 })
            .toBuffer({ resolveWithObject: true });
          return { ref, src: `data:image/webp;base64,${data.toString('base64')}`, width: info.width, height: info.height };
        } catch {
          return undefined;
        }
      });
      made.set(abs, found);
    }
    return found;
  };
  return Promise.all(
    entries.map(async (entry) => {
      const task = tasks.get(entry.task);
      if (!task) return undefined;
      const abs = path.join(project.contentRoot, entry.file);
      let data: Record<string, unknown>;
      try {
        data = parseFrontMatter(await readFile(abs, 'utf8')).data;
      } catch {
        return undefined;
      }
      const image = task.config.image!;
      const roots = imageRoots(project, image, abs);
      const thumbs: Thumbnail[] = [];
      for (const ref of imageRefs(data, image.from).slice(0, image.maxImages)) {
        if (refProblem(ref)) continue;
        const found = findImage(ref, roots);
        const thumb = found && (await thumbnail(ref, found));
        if (thumb) thumbs.push(thumb);
      }
      return thumbs;
    }),
  );
}
