import { once } from 'node:events';
import { ExitCode } from '../errors.js';
import type { CommandResult } from './result.js';

export interface EmulatorCommandOptions {
  port: number;
  batchMs: number;
  dataFile?: string;
  signal: AbortSignal;
}

/** Serves until Ctrl-C / SIGTERM. Loopback only. */
export async function emulatorCommand(options: EmulatorCommandOptions): Promise<CommandResult> {
  const { startEmulator } = await import('../emulator/index.js');
  const emulator = await startEmulator({
    port: options.port,
    batchDurationMs: options.batchMs,
    ...(options.dataFile ? { dataFile: options.dataFile } : {}),
  });
  process.stdout.write(`batchmatter emulator listening on ${emulator.url}\nuse it with: ANTHROPIC_BASE_URL=${emulator.url} ANTHROPIC_API_KEY=any batchmatter run\n`);
  if (!options.signal.aborted) await once(options.signal, 'abort');
  await emulator.close();
  return { exitCode: ExitCode.ok, data: { url: emulator.url }, text: '' };
}
