import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, startEmulator, type Clock } from '../src/index.js';
import { copyExample } from './helpers/cli.js';
import { drivenClock } from './helpers/inprocess.js';

/**
 * Time as an input: a run, in-process, against an emulator whose batches take
 * an hour, on a clock both share. The run's waits between polls move that clock
 * instead of passing; nothing here waits for the wall clock.
 */
describe('a run on a driven clock', () => {
  it('waits out an hour-long batch in no time: polls spaced by the poll interval, collected once it ends', async () => {
    const driven = drivenClock(Date.parse('2026-12-08T02:00:00Z'));
    const sleeps: number[] = [];
    const clock: Clock = {
      ...driven,
      sleep: (ms, signal) => {
        sleeps.push(ms);
        return driven.sleep(ms, signal);
      },
    };
    const emulator = await startEmulator({ batchDurationMs: 3_600_000, now: driven.ms });
    try {
      const cwd = copyExample((c) => c.replace("pollInterval: '30s', maxRetries: 2, syncBelow: 10", "pollInterval: '10m', maxRetries: 2, syncBelow: 1"));
      const started = driven.ms();
      const result = await run({ cwd, tasks: ['description'], paths: ['examples/blog/posts/guides'], clock, env: { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' } });
      expect(result.exitCode, result.text).toBe(0);
      // Six waits of ten minutes: the batch ended an hour after it was made, on the shared clock.
      expect(sleeps).toEqual(Array(6).fill(600_000));
      expect(driven.ms() - started).toBe(3_600_000);
      const state = JSON.parse(readFileSync(path.join(cwd, '.batchmatter/state.json'), 'utf8'));
      expect(Object.values(state.items).map((i) => (i as { status: string }).status)).toEqual(Array(3).fill('succeeded'));
      // The state's dates come from the same clock.
      expect(state.savedAt).toBe(driven.now().toISOString());
      expect(Object.keys(state.jobs)).toEqual(['job_n00000000000']);
      expect(emulator.ledger()).toHaveLength(3);
    } finally {
      await emulator.close();
    }
  });
});
