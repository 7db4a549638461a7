import { once } from 'node:events';
import { ExitCode, UserError } from '../errors.js';
import type { CommandResult } from './result.js';

export interface EmulatorCommandOptions {
  port: number;
  batchMs: number;
  dataFile?: string;
  signal: AbortSignal;
}

/** Serves until Ctrl-C / SIGTERM. Loopback only. */
export async function emulatorCommand(options: EmulatorCommandOptions): Promise<CommandResult> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new UserError('--port: expected a port number from 0 to 65535 (0 picks a free one)');
  if (!Number.isFinite(options.batchMs) || options.batchMs < 0) throw new UserError('--batch-ms: expected a number of milliseconds, 0 or more');
  const { startEmulator } = await import('../emulator/index.js');
  const emulator = await startEmulator({
    port: options.port,
    batchDurationMs: options.batchMs,
    ...(options.dataFile ? { dataFile: options.dataFile } : {}),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UserError(`--port: ${options.port} is already in use; pick another, or 0 for a free one`);
    throw error;
  });
  process.stdout.write(`batchmatter emulator listening on ${emulator.url}\nuse it with: ANTHROPIC_BASE_URL=${emulator.url} ANTHROPIC_API_KEY=any batchmatter run\n`);
  if (!options.signal.aborted) await once(options.signal, 'abort');
  await emulator.close();
  return { exitCode: ExitCode.ok, data: { url: emulator.url }, text: '' };
}
