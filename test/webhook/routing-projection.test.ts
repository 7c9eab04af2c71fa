import { describe, expect, it } from 'vitest';
import { splitDelivery } from '../../shared/app/intake/split.js';
import type { DomainManifest } from '../../shared/platform/domain/domain.js';
import { QueueRouter } from '../../shared/platform/domain/routing.js';
import type { ChangeEnvelope } from '../../shared/platform/queue/envelope.js';
import type { MessageSink, QueueEntry } from '../../shared/platform/queue/ports.js';
import { EnvelopePublisher } from '../../shared/platform/queue/publisher.js';

/**
 * A domain may keep only part of a change in its queue (`project` in its manifest): the webhook applies it when
 * routing, passthrough still gets the whole change, the event ID is the whole change's, and a domain without a
 * projection gets what it always got.
 */
const keeping = (name: string, field: string, project?: DomainManifest['project']): DomainManifest => ({
  name,
  title: name,
  table: { partitionKey: 'id', indexes: [] },
  takes: (change) => change.kind === field,
  alsoPassthrough: true,
  routes: [],
  eventTypes: [],
  ...(project === undefined ? {} : { project }),
});

const recordingSink = () => {
  const sent: { queue: string; body: ChangeEnvelope }[] = [];
  const sink: MessageSink = {
    sendBatch: async (queue: string, entries: readonly QueueEntry[]) => {
      for (const entry of entries) sent.push({ queue, body: JSON.parse(entry.body) as ChangeEnvelope });
      return { failed: [] };
    },
  };
  return { sent, sink };
};

describe('a projection applied at routing time', () => {
  it('the projecting domain receives only its fields; passthrough and other domains the whole change', async () => {
    // Prepare
    const router = new QueueRouter([
      keeping('ids', 'notes', (change) => ({ id: (change.change as { value: { id: string } }).value.id })),
      keeping('whole', 'memos'),
    ]);
    const { sent, sink } = recordingSink();
    const publisher = new EnvelopePublisher(router, sink, { put: async () => undefined });
    const delivery = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            { field: 'notes', value: { id: 'n1', text: 'private words' } },
            { field: 'memos', value: { id: 'm1', text: 'kept whole' } },
          ],
        },
      ],
    };
    const envelopes = splitDelivery(delivery, { deliveryId: 'd', receivedAt: 0 });

    // Act
    await publisher.publish(envelopes);

    // Assess
    const of = (queue: string) => sent.filter((message) => message.queue === queue).map((m) => m.body);
    expect(of('ids').map((body) => body.change)).toEqual([{ id: 'n1' }]);
    expect(JSON.stringify(of('ids'))).not.toContain('private words');
    expect(of('ids')[0]?.eventId).toBe(envelopes[0]?.eventId);
    expect(of('passthrough').map((body) => body.change)).toEqual([
      delivery.entry[0]?.changes[0],
      delivery.entry[0]?.changes[1],
    ]);
    expect(of('whole').map((body) => body.change)).toEqual([delivery.entry[0]?.changes[1]]);
  });
});
