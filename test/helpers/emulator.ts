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
