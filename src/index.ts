/** Public API: the config helper and types for `batch.config.ts`, and zod for output schemas. */
export { defineConfig } from './config/define.js';
export type { BatchConfig, TaskConfigInput, TextOutputConfig, JsonOutputConfig, Duration } from './config/define.js';
export { z } from 'zod';
export { startEmulator } from './emulator/index.js';
export type { EmulatorOptions, RunningEmulator } from './emulator/index.js';
export { apply, check, cost, diff, plan, reject, run, status, submit, sync } from './api.js';
export type { CommandResult, ProjectOptions, SelectOptions, SubmitOptions } from './api.js';
export { UserError, ConfigError, ExitCode } from './errors.js';
