import { DOMAINS } from '../shared/domains/registry.js';
import { PASSTHROUGH } from '../shared/platform/queue/envelope.js';

/** Every queue the webhook sends to (each domain's and passthrough), all at one URL: the benches stub SQS. */
export const queueUrls = (url: string): Record<string, string> =>
  Object.fromEntries([...DOMAINS.map((domain) => domain.name), PASSTHROUGH].map((name) => [name, url]));
