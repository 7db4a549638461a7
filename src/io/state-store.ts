import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { fileProblem, UserError } from '../errors.js';
import { checkState, emptyState, type StateData } from '../core/state.js';
import { crashPoint } from './crash-points.js';

/** The state DB: the data and one way to make it durable. */
export interface StateStore {
  readonly data: StateData;
  /** Atomically replaces the file (temp file + rename, via lowdb's steno writer). */
  save(): Promise<void>;
  /** How many times save() wrote the file in this process (the benchmark counts them). */
  readonly writes: number;
  readonly file?: string;
}

async function open(adapter: Adapter<StateData>, file?: string, now: () => Date = () => new Date()): Promise<StateStore> {
  const db = new Low<StateData>(adapter, emptyState());
  await db.read();
  const problems = checkState(db.data);
  if (problems.length) {
    throw new UserError(`state file ${file ?? '(memory)'} is not usable: ${problems.join('; ')}. It was left untouched; fix or move it away.`);
  }
  let writes = 0;
  return {
    get data() {
      return db.data;
    },
    get writes() {
      return writes;
    },
    save: async () => {
      writes++;
      db.data.savedAt = now().toISOString();
      crashPoint('state:before-write');
      await db.write();
      crashPoint('state:after-write');
    },
    ...(file ? { file } : {}),
  };
}

export interface OpenOptions {
  /** Copy the file, once read and checked, to `<file>.prev`: the last good copy if a later write is ever damaged. */
  keepPrevious?: boolean;
  /** The clock that dates each save (`savedAt`). */
  now?: () => Date;
}

export async function openStateFile(file: string, options: OpenOptions = {}): Promise<StateStore> {
  const corrupt = (why: string) =>
    new UserError(
      `state file ${file} is corrupt (${why}). It was left untouched; ${
        existsSync(`${file}.prev`) ? `the last good copy is ${file}.prev (or restore it from git or the CI cache)` : 'restore it from git or the CI cache, or move it away to start afresh'
      }.`,
    );
  const adapter = new DataFile<StateData>(file, {
    parse(text) {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        throw corrupt((error as Error).message);
      }
      // lowdb would take `null` (or false, 0) for no file at all, and the next save would overwrite it.
      if (typeof data !== 'object' || data === null) throw corrupt(`it holds ${JSON.stringify(data)}, not an object`);
      return data as StateData;
    },
    stringify: (data) => `${JSON.stringify(data, null, 1)}\n`,
  });
  try {
    if (options.keepPrevious) await mkdir(path.dirname(file), { recursive: true });
    const store = await open(adapter, file, options.now);
    // The last good copy, for the message above if a later write is ever damaged; no state yet: nothing to keep.
    if (options.keepPrevious && existsSync(file)) await copyFile(file, `${file}.prev`);
    return store;
  } catch (error) {
    throw fileProblem(error, `state file ${file} cannot be used`);
  }
}
