import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidEventError, NotFoundError, SwitchboardError } from '../../kernel/errors.js';
import { eventIdOf } from '../../kernel/event-id.js';
import { isMetaId } from '../../kernel/ids.js';
import { isRecord, parseJsonObject } from '../../kernel/json.js';
import { type GraphClient, graphPath } from '../../platform/graph/client.js';
import type { SecretStore } from '../../platform/secrets/secret-store.js';
import type { ControlTable } from '../../platform/store/control.js';
import type { WabaRepository } from './repository.js';

/** Asks the actions function to fetch and store one customer's business token. */
export interface BusinessTokenJob {
  v: 1;
  wabaId: string;
  solutionId: string;
  /** The customer's business portfolio (`owner_business_id`). */
  businessId: string;
}

export type { SecretStore } from '../../platform/secrets/secret-store.js';

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
  /** One item per customer business: its lease and the solutions whose token is stored. */
  control: ControlTable;
  secretPrefix: string;
  now?: () => number;
}

/**
 * Longer than the actions function's 30 s timeout, so the holder has answered or died by then; shorter than the
 * jobs queue's visibility timeout, so a job that comes back after its holder died finds the lease lapsed.
 */
export const FETCH_LEASE_MS = 35_000;

interface StoredToken {
  secretName: string;
  storedAt: number;
}

const controlKey = (businessId: string) => `business-token#${businessId}`;

const storedTokens = (item: Record<string, unknown> | undefined): Record<string, StoredToken> => {
  const solutions = item?.solutions;
  if (!isRecord(solutions)) return {};
  const tokens: Record<string, StoredToken> = {};
  for (const [solutionId, value] of Object.entries(solutions)) {
    if (isRecord(value) && typeof value.secretName === 'string' && typeof value.storedAt === 'number')
      tokens[solutionId] = { secretName: value.secretName, storedAt: value.storedAt };
  }
  return tokens;
};

/** Another job of the same business holds the fetch: this one is retried later and then finds the token. */
export class TokenFetchInProgressError extends Error {
  public constructor(businessId: string) {
    super(`the business token of ${businessId} is being fetched by another job; retried later`);
    this.name = 'TokenFetchInProgressError';
  }
}

/** Meta answered without a token for the business: not retried (the same call answers the same), said as is. */
export class BusinessTokenMissingError extends SwitchboardError {
  public constructor(businessId: string, solutionId: string) {
    super(
      502,
      'business_token_missing',
      `Meta answered GET /${solutionId}/access_token without a token for business ${businessId}`,
      { businessId, solutionId },
    );
  }
}

/**
 * The token in `GET /<SOLUTION_ID>/access_token`'s answer: `{"data": [{"access_token"}]}` as the Multi-Partner
 * Solutions page shows it, or `{"access_token"}` at the top level as the Access Token API reference is said to
 * (not verified: both are read).
 */
export const accessTokenOf = (body: unknown): string | undefined => {
  if (!isRecord(body)) return undefined;
  const first = Array.isArray(body.data) ? body.data[0] : undefined;
  const token = isRecord(first) ? first.access_token : body.access_token;
  return typeof token === 'string' && token !== '' ? token : undefined;
};

/** What a token job did: stored (or found) the token and recorded it on its WABA, or left it to another message. */
export type TokenJobOutcome = { secretName: string } | { carriedBy: string };

/**
 * A job's lease owner names the message and the job it holds the fetch for (one owner per attempt, so the same
 * message received again is not the holder). The refresh's owner is a bare UUID: no job.
 */
const jobOwner = (job: BusinessTokenJob, messageId: string): string =>
  JSON.stringify({ attempt: randomUUID(), messageId, wabaId: job.wabaId, solutionId: job.solutionId });

/**
 * The other message whose fetch of this very job (same WABA and solution) holds the lease now, if any. That
 * message carries the same work: it succeeds, or its queue retries it (its holder died) or dead-letters it.
 */
const carrierOf = (
  item: Record<string, unknown> | undefined,
  job: BusinessTokenJob,
  messageId: string,
  now: number,
): string | undefined => {
  if (typeof item?.leaseUntil !== 'number' || item.leaseUntil < now || typeof item.leaseOwner !== 'string')
    return undefined;
  const holder = parseJsonObject(item.leaseOwner);
  const sameJob = holder?.wabaId === job.wabaId && holder.solutionId === job.solutionId;
  const carrier = holder?.messageId;
  return sameJob && typeof carrier === 'string' && carrier !== messageId ? carrier : undefined;
};

/** `GET /<SOLUTION_ID>/access_token?business_id=<customer>`, written straight to the secret store. */
const fetchAndStore = async (deps: BusinessTokenDeps, businessId: string, solutionId: string) => {
  const response = await deps.graph.request({
    path: graphPath(solutionId, 'access_token'),
    query: { business_id: businessId },
  });
  const token = accessTokenOf(response);
  if (token === undefined) throw new BusinessTokenMissingError(businessId, solutionId);
  return deps.store.put(
    businessTokenSecretName(deps.secretPrefix, businessId),
    JSON.stringify({ accessToken: token, businessId, solutionId }),
    { 'switchboard:business': businessId },
  );
};

/** The WABA records where its token is kept; the same stored token is the same event (a no-op again). */
const recordOnWaba = (deps: BusinessTokenDeps, job: BusinessTokenJob, stored: StoredToken) =>
  deps.wabas.apply({
    type: 'token',
    wabaId: job.wabaId,
    timeMs: stored.storedAt,
    eventId: eventIdOf({ wabaId: job.wabaId, secretName: stored.secretName, storedAt: stored.storedAt }),
    secretName: stored.secretName,
    businessId: job.businessId,
  });

/**
 * Runs `work` holding the business's lease (one conditional write in the control table), then records what
 * it stored. `busy` says what to do when another holder has it.
 */
const underLease = async <T>(
  deps: BusinessTokenDeps,
  businessId: string,
  owner: string,
  busy: () => Error,
  work: (
    tokens: Record<string, StoredToken>,
    store: (solutionId: string) => Promise<StoredToken>,
  ) => Promise<T>,
): Promise<T> => {
  const key = controlKey(businessId);
  const now = (deps.now ?? Date.now)();
  if (!(await deps.control.acquireLease(key, owner, now + FETCH_LEASE_MS, now))) throw busy();
  try {
    const tokens = storedTokens(await deps.control.get(key));
    const store = async (solutionId: string): Promise<StoredToken> => {
      const secretName = await fetchAndStore(deps, businessId, solutionId);
      const stored = { secretName, storedAt: (deps.now ?? Date.now)() };
      tokens[solutionId] = stored;
      await deps.control.set(key, { solutions: tokens }, owner);
      return stored;
    };
    return await work(tokens, store);
  } finally {
    await deps.control.releaseLease(key, owner);
  }
};

/**
 * A token job: fetched once per (customer business, solution), whatever the number of PARTNER_ADDED
 * deliveries, redrives or concurrent consumers; later jobs only record on their WABA where it is kept. A
 * duplicate of the job another message is fetching is done: that message carries it (SQS keeps it until it
 * succeeds, and retries it if its holder dies). A failure throws, so the job is retried through its queue and
 * ends in the DLQ.
 */
export const fetchBusinessToken = async (
  deps: BusinessTokenDeps,
  job: BusinessTokenJob,
  messageId: string,
): Promise<TokenJobOutcome> => {
  const key = controlKey(job.businessId);
  let stored = storedTokens(await deps.control.get(key))[job.solutionId];
  try {
    stored ??= await underLease(
      deps,
      job.businessId,
      jobOwner(job, messageId),
      () => new TokenFetchInProgressError(job.businessId),
      async (tokens, store) => tokens[job.solutionId] ?? (await store(job.solutionId)),
    );
  } catch (error) {
    if (!(error instanceof TokenFetchInProgressError)) throw error;
    // Read again: the holder may have stored the token meanwhile, or be fetching this very job.
    const item = await deps.control.get(key);
    stored = storedTokens(item)[job.solutionId];
    const carrier =
      stored === undefined ? carrierOf(item, job, messageId, (deps.now ?? Date.now)()) : undefined;
    if (carrier !== undefined) return { carriedBy: carrier };
    if (stored === undefined) throw error;
  }
  await recordOnWaba(deps, job, stored);
  return { secretName: stored.secretName };
};

/**
 * `tokens refresh <business>`: fetches again every token stored for the business (rotation, or Meta refused
 * the stored one) and overwrites its secret. 404 when none was ever fetched, 409 while a fetch runs.
 */
export const refreshBusinessTokens = (deps: BusinessTokenDeps, businessId: string) =>
  underLease(
    deps,
    businessId,
    randomUUID(),
    () =>
      new ConflictError(`a token of business ${businessId} is being fetched now: try again shortly`, {
        businessId,
      }),
    async (tokens, store) => {
      const solutionIds = Object.keys(tokens);
      if (solutionIds.length === 0) {
        throw new NotFoundError(
          `no business token was fetched for business ${businessId} (tokens are fetched after its PARTNER_ADDED)`,
        );
      }
      const refreshed = [];
      for (const solutionId of solutionIds) refreshed.push({ solutionId, ...(await store(solutionId)) });
      return { businessId, refreshed };
    },
  );
