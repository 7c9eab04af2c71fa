import { createHmac } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

interface Delivery {
  entry: { changes?: { field?: string }[] }[];
}

/** The least an `own` destination's body takes: the delivery parsed, its `field` changes kept, re-signed. */
const ownBody = (text: string, field: string, secret: string) => {
  const delivery = JSON.parse(text) as Delivery;
  const entry = delivery.entry.map((each) => ({
    ...each,
    changes: (each.changes ?? []).filter((change) => change.field === field),
  }));
  const body = JSON.stringify({ ...delivery, entry });
  return { body, signature: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };
};

/**
 * The floor for a relay destination's deliverer: for each record, parse the copy, POST its body with the
 * signature it carries (an `own` floor keeps the field's changes and signs them), report the failures. No
 * validation, claim checks, exact-text bodies, retry waits, DLQ reasons, logging or metrics.
 */
export const createFloorRelay =
  (url: string, send: typeof fetch = fetch, own?: { field: string; secret: string }) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const copy = JSON.parse(record.body) as { body: string; signature: string };
      const sent = own === undefined ? copy : ownBody(copy.body, own.field, own.secret);
      const response = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sent.signature },
        body: sent.body,
      });
      if (!response.ok) failures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures: failures };
  };

export const handler = createFloorRelay(process.env.RELAY_URL ?? '');
