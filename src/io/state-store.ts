import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory, type Adapter } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { UserError } from '../errors.js';
import { checkState, emptyState, type StateData } from '../core/state.js';

/** The state DB: the data and one way to make it durable. */
export interface StateStore {
  readonly data: StateData;
  /** Atomically replaces the file (temp file + rename, via lowdb's steno writer). */
  save(): Promise<void>;
  /** How many times save() wrote the file in this process (the benchmark counts them). */
  readonly writes: number;
  readonly file?: string;
}

async function open(adapter: Adapter<StateData>, file?: string): Promise<StateStore> {
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
    save: () => {
      writes++;
      return db.write();
    },
    ...(file ? { file } : {}),
  };
}

export interface OpenOptions {
  /** Copy the file, once read and checked, to `<file>.prev`: the last good copy if a later write is ever damaged. */
  keepPrevious?: boolean;
}

export async function openStateFile(file: string, options: OpenOptions = {}): Promise<StateStore> {
  await mkdir(path.dirname(file), { recursive: true });
  const adapter = new DataFile<StateData>(file, {
    parse(text) {
      try {
        return JSON.parse(text) as StateData;
      } catch (error) {
        throw new UserError(
          `state file ${file} is corrupt (${(error as Error).message}). It was left untouched; the last good copy is ${file}.prev (or restore it from git or the CI cache).`,
        );
      }
    },
    stringify: (data) => `${JSON.stringify(data, null, 1)}\n`,
  });
  const store = await open(adapter, file);
  if (options.keepPrevious) await copyFile(file, `${file}.prev`).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error; // no state yet: nothing to keep
  });
  return store;
}

/** In-memory store for tests of the pipeline that do not need a file. */
export function memoryStateStore(initial?: StateData): Promise<StateStore> {
  const adapter = new Memory<StateData>();
  if (initial) void adapter.write(initial);
  return open(adapter);
}
