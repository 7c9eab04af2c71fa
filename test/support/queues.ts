import { DOMAINS } from '../../shared/domains/registry.js';
import { PASSTHROUGH } from '../../shared/platform/queue/envelope.js';

/** Every queue the webhook sends to: each domain's and passthrough. */
export const QUEUE_NAMES = [...DOMAINS.map((domain) => domain.name), PASSTHROUGH];
