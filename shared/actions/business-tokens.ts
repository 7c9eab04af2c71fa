import { eventIdOf } from '../domain/event-id.js';
import { isMetaId } from '../domain/ids.js';
import type { WabaChangeEvent } from '../domain/waba.js';
import { InvalidEventError } from '../errors.js';
import { type GraphClient, graphPath } from '../graph/client.js';
import type { WabaRepository } from '../store/repositories.js';
import { parseJsonObject } from '../util/json.js';

/** Asks the actions function to fetch and store one customer's business token. */
export interface BusinessTokenJob {
  v: 1;
  wabaId: string;
  solutionId: string;
  /** The customer's business portfolio (`owner_business_id`). */
  businessId: string;
}

/** Where business tokens are kept: Secrets Manager in AWS, memory in local mode. Never DynamoDB or logs. */
export interface SecretStore {
  /** Creates or updates the secret (tagged when created); answers its name. */
  put(name: string, value: string, tags?: Readonly<Record<string, string>>): Promise<string>;
}

export type JobSender = (body: string) => Promise<void>;

/**
 * Follow-up of the WABAs consumer: a PARTNER_ADDED for one of our solutions (our business among the
 * solution's partners) queues a token job. It runs on every delivery of the event, duplicates included,
 * so a crash between the write and the send cannot lose the job; fetching twice is harmless.
 */
export const businessTokenFollowUp =
  (send: JobSender, ourBusinessId: string | undefined) =>
  async (event: WabaChangeEvent): Promise<void> => {
    const info = event.wabaInfo;
    if (
      event.event !== 'PARTNER_ADDED' ||
      info === null ||
      info.solutionId === null ||
      info.ownerBusinessId === null
    )
      return;
    if (ourBusinessId !== undefined && !info.partnerBusinessIds.includes(ourBusinessId)) return;
    const job: BusinessTokenJob = {
      v: 1,
      wabaId: event.wabaId,
      solutionId: info.solutionId,
      businessId: info.ownerBusinessId,
    };
    await send(JSON.stringify(job));
  };

export const parseBusinessTokenJob = (body: string): BusinessTokenJob => {
  const job = parseJsonObject(body);
  if (
    job === undefined ||
    job.v !== 1 ||
    !isMetaId(job.wabaId) ||
    !isMetaId(job.solutionId) ||
    !isMetaId(job.businessId)
  ) {
    throw new InvalidEventError('not a business token job');
  }
  return { v: 1, wabaId: job.wabaId, solutionId: job.solutionId, businessId: job.businessId };
};

/** Secret names allow letters, digits and /_+=.@-; business IDs are digits. */
export const businessTokenSecretName = (prefix: string, businessId: string): string =>
  `${prefix}${businessId.replace(/[^A-Za-z0-9/_+=.@-]/g, '_')}`;

export interface BusinessTokenDeps {
  graph: GraphClient;
  wabas: WabaRepository;
  store: SecretStore;
  secretPrefix: string;
  now?: () => number;
}

/**
 * `GET /<SOLUTION_ID>/access_token?business_id=<customer>` with the system user token; the token goes
 * straight to the secret store and the WABA records only where it is kept. A failure throws, so the job
 * is retried through its queue and ends in the DLQ.
 */
export const fetchBusinessToken = async (deps: BusinessTokenDeps, job: BusinessTokenJob): Promise<string> => {
  const response = await deps.graph.request<{ data?: { access_token?: unknown }[] }>({
    path: graphPath(job.solutionId, 'access_token'),
    query: { business_id: job.businessId },
  });
  const token = response.data?.[0]?.access_token;
  if (typeof token !== 'string' || token === '')
    throw new Error(`Meta returned no business token for business ${job.businessId}`);
  const secretName = await deps.store.put(
    businessTokenSecretName(deps.secretPrefix, job.businessId),
    JSON.stringify({ accessToken: token, businessId: job.businessId, solutionId: job.solutionId }),
    { 'switchboard:business': job.businessId },
  );
  const timeMs = (deps.now ?? Date.now)();
  await deps.wabas.apply({
    type: 'token',
    wabaId: job.wabaId,
    timeMs,
    eventId: eventIdOf({ wabaId: job.wabaId, secretName, timeMs }),
    secretName,
    businessId: job.businessId,
  });
  return secretName;
};
