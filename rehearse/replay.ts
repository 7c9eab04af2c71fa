import type { Driver } from './driver.js';
import { streamSourcesOf } from './template.js';

const countBy = (names: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
};

/**
 * The replay's lease on its window (`replay#<from>#<to>` in the control table, shared/app/reconcile): only the
 * control table's key is named `pk` (the domain tables are keyed by their IDs).
 */
const isReplayLease = (keys: Record<string, unknown>): boolean => {
  const pk = keys.pk;
  return typeof pk === 'object' && pk !== null && 'S' in pk && String(pk.S).startsWith('replay#');
};

/**
 * `POST /v1/replay` through the reconcile bundle: it reads the archive back (laid out as Firehose writes it)
 * and puts every delivery back through the queues; the consumers then apply them. The state was right, so
 * nothing is written and the streams carry no record: no domain event. The one write expected is the replay's
 * own lease on its window in the control table (taken, then released).
 */
export const replay = async (story: Driver) => {
  const { check, http, drain, deployment, observer } = story;
  const { template, proxy, containers } = deployment;
  const window = await observer.layOutArchive();
  const streamed = proxy.streams.length;
  await observer.collectEvents();
  const answer = await http('POST', '/v1/replay', {
    body: JSON.stringify({ from: window.from, to: window.to }),
  });
  check(
    `POST /v1/replay puts every archived delivery back (${window.records}) through the queues`,
    answer.status === 200 &&
      answer.body.deliveries === window.records &&
      typeof answer.body.changes === 'number' &&
      answer.body.changes >= window.records,
    answer,
  );
  await drain();
  for (const [tableName, fnId] of streamSourcesOf(template)) {
    const records = proxy.streams
      .slice(streamed)
      .filter((record) => record.eventSourceARN.includes(`:table/${tableName}/`));
    if (records.length > 0) await containers.get(fnId)?.invoke({ Records: records });
  }
  const events = await observer.collectEvents();
  const after = proxy.streams.slice(streamed);
  const writes = after.filter((record) => !isReplayLease(record.dynamodb.Keys));
  // Its lease is released at the end: the last write of its item holds no owner.
  const lease = after.filter((record) => isReplayLease(record.dynamodb.Keys)).at(-1);
  const released = lease === undefined || !('leaseOwner' in (lease.dynamodb.NewImage ?? {}));
  check(
    'the replay changed nothing that was right: no table write beside its own lease (released), no domain event',
    writes.length === 0 && events.length === 0 && released,
    {
      released,
      writes: writes.length,
      byTable: countBy(writes.map((record) => record.eventSourceARN.split('/')[1] ?? '?')),
      keys: writes.slice(0, 5).map((record) => record.dynamodb.Keys),
      events: events.length,
      byType: countBy(events.map((event) => String(event['detail-type'] ?? '?'))),
    },
  );
};
