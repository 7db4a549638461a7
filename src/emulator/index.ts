/** The embedded Messages + Message Batches API emulator (see server.ts). */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server.js';
export { respond } from './model.js';
export type { AppliedFault, FaultOutcome, FaultPlan, FaultRule } from './faults.js';
export type { CreateLogEntry, EmulatorData } from './store.js';
