import path from 'node:path';
import pLimit from 'p-limit';
import { imageRefs, refProblem, type ImageInput, type ImageRoots, type PreparedImage } from '../core/images.js';
import { digest } from '../core/hash.js';
import { covers } from '../core/needs.js';
import { itemKey } from '../core/state.js';
import { getField, isMissing } from '../frontmatter/field-path.js';
import { findImage, imageRoots, ImagePreparer, type Prepared } from '../io/images.js';
import type { ScannedFile } from '../io/scan-parse.js';
import type { Session } from './session.js';

const preparers = new WeakMap<Session, ImagePreparer>();

/** Where prepared images are kept: beside the state, like the scan cache. */
const imageCacheDir = (statePath: string): string => path.join(path.dirname(statePath), 'images');

/**
 * The images of every file a task with `image` may ask about, by item key: found, read and prepared (sharp, at
 * most two at a time), or the reason none can be sent. Files whose field is filled are not read (plan skips them
 * before it looks at images), unless the task asks again (`when` other than `missing`).
 */
export async function imageInputs(session: Session, files: readonly ScannedFile[], select?: (task: string, rel: string) => boolean): Promise<Map<string, ImageInput>> {
  const { project } = session;
  const inputs = new Map<string, ImageInput>();
  const tasks = project.tasks.filter((t) => t.config.image);
  if (!tasks.length) return inputs;
  let preparer = preparers.get(session);
  if (!preparer) preparers.set(session, (preparer = new ImagePreparer(imageCacheDir(project.statePath), project.dir)));
  const limit = pLimit(2);
  const jobs: Array<Promise<void>> = [];
  for (const task of tasks) {
    const image = task.config.image!;
    for (const file of files) {
      if (!file.data || !covers(task)(file.rel) || (select && !select(task.name, file.rel))) continue;
      if (task.config.when === 'missing' && !isMissing(getField(file.data, task.fieldPath))) continue;
      const refs = imageRefs(file.data, image.from).slice(0, image.maxImages);
      if (!refs.length) continue; // plan says: no image
      const roots = imageRoots(project, image, file.abs);
      const key = itemKey(task.name, file.rel);
      jobs.push(
        Promise.all(refs.map((ref) => limit(() => findAndPrepare(preparer, ref, roots)))).then((found) => {
          inputs.set(key, combine(found));
        }),
      );
    }
  }
  await Promise.all(jobs);
  return inputs;
}

async function findAndPrepare(preparer: ImagePreparer, ref: string, roots: ImageRoots): Promise<Prepared> {
  const problem = refProblem(ref);
  if (problem) return problem;
  const abs = findImage(ref, roots);
  if (!abs) return { skip: 'image-missing', detail: `${ref}: no such file beside the file, in the public folder or the content root (or it leads out of the config's folder)` };
  return preparer.prepare(ref, abs);
}

/** All of a file's images, or the first reason one cannot be sent: an answer about half the images would be wrong. */
function combine(found: Prepared[]): ImageInput {
  const skipped = found.find((p): p is Extract<Prepared, { skip: unknown }> => 'skip' in p);
  if (skipped) return skipped;
  const images = found as PreparedImage[];
  return { images, hash: digest(images.map((i) => i.digest).join('\0')) };
}
