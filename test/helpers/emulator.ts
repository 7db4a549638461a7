import { createServer, type AddressInfo } from 'node:net';
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages/batches';

/** Polls until the batch ends (about 3 s at most). */
export async function waitEnded(client: Anthropic, id: string) {
  for (let i = 0; i < 200; i++) {
    const batch = await client.messages.batches.retrieve(id);
    if (batch.processing_status === 'ended') return batch;
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`batch ${id} did not end`);
}

/** Every line of a batch's results, in the order the server sent them. */
export async function collect(client: Anthropic, id: string): Promise<MessageBatchIndividualResponse[]> {
  const lines: MessageBatchIndividualResponse[] = [];
  for await (const line of await client.messages.batches.results(id)) lines.push(line);
  return lines;
}

/** A loopback port nothing listens on: an API that cannot be reached. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
