import { mapWithConcurrency } from '../../kernel/async.js';
import type { WriteOutcome } from '../../kernel/registers.js';
import type { ConsumerSpec } from '../../platform/consumers/consumer.js';
import type { ConsumerPorts } from '../../platform/domain/domain.js';
import { decodeWhatsappChange } from './decode.js';
import type { WhatsappFact } from './facts.js';
import { whatsappThreadsManifest } from './manifest.js';
import { whatsappThreadWrites } from './repository.js';

/** Writes in flight for one change holding many users' messages (a batch of up to 1,000 from Meta). */
const WRITES_IN_FLIGHT = 16;

/** Applied if any fact was; else duplicate only if every one was (a redelivery); else stale. */
const outcomeOf = (outcomes: readonly WriteOutcome[]): WriteOutcome =>
  outcomes.includes('applied')
    ? 'applied'
    : outcomes.every((outcome) => outcome === 'duplicate')
      ? 'duplicate'
      : 'stale';

/**
 * The WhatsApp threads consumer: a change's ownership facts, each one conditional write (one per handover, one per
 * user and kind of activity in a `messages` or `standby` change). A write that fails fails the record, which SQS
 * delivers again; the writes already applied are then duplicates.
 */
export const whatsappThreadsConsumer = ({ table }: ConsumerPorts): ConsumerSpec<WhatsappFact[]> => {
  const repository = whatsappThreadWrites(table);
  return {
    domain: whatsappThreadsManifest.name,
    decode: decodeWhatsappChange,
    apply: async (facts) =>
      outcomeOf(await mapWithConcurrency(facts, WRITES_IN_FLIGHT, (fact) => repository.apply(fact))),
  };
};
