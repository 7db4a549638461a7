/**
 * Public API: the config helper and types for `batch.config.ts`, zod for output schemas, the commands as
 * functions, and the emulator. A config imports this file, so what the commands and the emulator need loads
 * only when they are called.
 */
export { defineConfig } from './config/define.js';
export type { BatchConfig, TaskConfigInput, TextOutputConfig, JsonOutputConfig, ImageInputConfigInput, Duration } from './config/define.js';
export { z } from 'zod';
import type { EmulatorOptions, RunningEmulator } from './emulator/index.js';
export type { EmulatorOptions, RunningEmulator };

/** Starts the Messages/Batches API emulator on loopback (see docs/emulator.md). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return (await import('./emulator/index.js')).startEmulator(options);
}
export { apply, check, cost, diff, plan, proposal, reject, run, status, submit, sync } from './api.js';
export type { CommandResult, ProjectOptions, SelectOptions, SubmitOptions } from './api.js';
export type { Clock } from './pipeline/session.js';
export { UserError, ConfigError, ExitCode } from './errors.js';
