import type { DeadLetterSink } from '../shared/platform/queue/ports.js';

/** Dead letters kept in memory, for tests and benchmarks that run a consumer without a queue. */
export class MemoryDeadLetters implements DeadLetterSink {
  public readonly messages: { body: string; attributes: Record<string, string> }[] = [];

  public async send(body: string, attributes: Readonly<Record<string, string>>): Promise<void> {
    this.messages.push({ body, attributes: { ...attributes } });
  }
}
