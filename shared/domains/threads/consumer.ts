import type { ConsumerSpec } from '../../platform/consumers/consumer.js';
import type { ConsumerPorts } from '../../platform/domain/domain.js';
import { decodeHandover } from './decode.js';
import { threadsManifest } from './manifest.js';
import { threadWrites } from './repository.js';
import type { AppRolesEvent, ThreadEvent } from './thread.js';

/** The threads consumer: a Handover Protocol notification, decoded and applied with one conditional write. */
export const threadsConsumer = ({ table }: ConsumerPorts): ConsumerSpec<ThreadEvent | AppRolesEvent> => {
  const repository = threadWrites(table);
  return {
    domain: threadsManifest.name,
    decode: decodeHandover,
    apply: (event) => repository.apply(event),
  };
};
