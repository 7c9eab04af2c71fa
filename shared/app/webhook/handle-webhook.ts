import {
  BadRequestError,
  DependencyUnavailableError,
  PayloadTooLargeError,
  SwitchboardError,
  UnauthorizedError,
} from '../../kernel/errors.js';
import { parseJsonObject } from '../../kernel/json.js';
import type { DeliveryArchive } from '../../platform/archive/archive.js';
import { dispatch } from '../../platform/http/dispatch.js';
import { headerValue, rawBodyBytes } from '../../platform/http/request.js';
import { json, text } from '../../platform/http/response.js';
import { verifySignature } from '../../platform/http/signature.js';
import type { HttpApiEvent, HttpResult } from '../../platform/http/types.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import { PASSTHROUGH } from '../../platform/queue/envelope.js';
import { httpLambda } from '../../platform/runtime/lambda.js';
import {
  acceptedAppSecrets,
  type MetaSecrets,
  type SecretSource,
} from '../../platform/secrets/meta-secrets.js';
import { type DeliveryIntake, deliveryIdOf } from '../intake/intake.js';
import { ROUTES } from '../routes.js';
import { answerVerification } from './verification.js';

/** Meta documents deliveries up to 3 MB; anything past 4 MiB is refused before it is read. */
export const MAX_WEBHOOK_BODY_BYTES = 4 * 1024 * 1024;

export interface WebhookDeps {
  secrets: SecretSource<MetaSecrets>;
  /** Splits a delivery into its changes and queues each on its domain's queue. */
  intake: DeliveryIntake;
  /** Keeps every accepted delivery as received, for replay (Firehose to S3 in AWS, a folder locally). */
  archive: DeliveryArchive;
  telemetry: Telemetry;
  now?: () => number;
}

/**
 * Archived before anything is queued, so archive and queues succeed or fail together as Meta sees them: an
 * archive failure answers 503 with nothing queued (nothing applied that a replay could miss; Meta delivers
 * again), and a queue failure after it answers 503 with the delivery archived (a replay sees it). The cost is
 * one archive round trip before the queue send instead of beside it (`bench/archive-latency.ts`; docs/replay.md).
 */
const keep = async (
  deps: WebhookDeps,
  receivedAt: number,
  body: Buffer,
  passthroughOnly: boolean,
): Promise<void> => {
  try {
    await deps.archive.keep({ receivedAt, body, passthroughOnly });
  } catch (error) {
    throw new DependencyUnavailableError('delivery archive', error);
  }
};

const decodedLength = (event: HttpApiEvent): number =>
  Buffer.byteLength(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/** The delivery, with Meta's long integer IDs kept exact (a bare-number PSID has 16 or more digits). */
const parseDelivery = (body: Buffer): Record<string, unknown> => {
  const delivery = parseJsonObject(body.toString('utf8'));
  if (delivery === undefined) throw new BadRequestError('signed body is not a JSON object');
  return delivery;
};

/** At most one forced re-read of the Meta secret per this long, so unsigned floods cannot hammer Secrets Manager. */
export const SECRET_REREAD_INTERVAL_MS = 30_000;

/**
 * Verifies a delivery's signature. After `put-secret-value`, a warm container still holds the old app
 * secret for up to the cache age and would refuse every delivery: on a mismatch it re-reads the secret
 * once (rate-limited) and checks again before refusing.
 */
const signatureVerifier = (deps: WebhookDeps) => {
  let lastReread = Number.NEGATIVE_INFINITY;
  return async (body: Buffer, header: string | undefined): Promise<void> => {
    if (verifySignature(body, header, acceptedAppSecrets(await deps.secrets.get()))) return;
    const now = (deps.now ?? Date.now)();
    if (header !== undefined && now - lastReread >= SECRET_REREAD_INTERVAL_MS) {
      lastReread = now;
      if (verifySignature(body, header, acceptedAppSecrets(await deps.secrets.get(true)))) return;
    }
    throw new UnauthorizedError();
  };
};

const ingest = async (
  event: HttpApiEvent,
  deps: WebhookDeps,
  verify: ReturnType<typeof signatureVerifier>,
): Promise<HttpResult> => {
  if (decodedLength(event) > MAX_WEBHOOK_BODY_BYTES) throw new PayloadTooLargeError(MAX_WEBHOOK_BODY_BYTES);
  const body = rawBodyBytes(event);
  const signature = headerValue(event, 'x-hub-signature-256');
  await verify(body, signature);
  const deliveryId = deliveryIdOf(body);
  const receivedAt = (deps.now ?? Date.now)();
  const delivery = parseDelivery(body);
  const received = { delivery, body, receivedAt, ...(signature === undefined ? {} : { signature }) };
  const envelopes = deps.intake.split(received);
  await keep(deps, receivedAt, body, deps.intake.passthroughOnly(envelopes));
  const { summary } = await deps.intake.deliver(received, envelopes);

  const { telemetry } = deps;
  telemetry.count('DeliveriesAccepted');
  telemetry.count('ChangesQueued', summary.messages);
  telemetry.count('PassthroughMessages', summary.byQueue[PASSTHROUGH] ?? 0);
  telemetry.count('ClaimChecks', summary.claimChecks);
  telemetry.count('OversizedDomainChanges', summary.oversizedDomainChanges);
  telemetry.count('QueueSendRetries', summary.retries);
  const kinds = new Map<string, number>();
  for (const envelope of envelopes) kinds.set(envelope.kind, (kinds.get(envelope.kind) ?? 0) + 1);
  for (const [kind, count] of kinds) telemetry.count('ChangesByKind', count, { Kind: kind.slice(0, 64) });
  // DEBUG: the access log and the metrics already record every delivery; INFO here would double the log bill.
  telemetry.logger.debug('delivery queued', { deliveryId, ...summary });
  return json(200, { deliveryId, queued: summary.messages });
};

/**
 * `GET /webhook` (Meta's verification), `POST /webhook` (signed deliveries) and `GET /healthz`. Errors are
 * typed and answered by `httpErrors`; a dependency failure is a 5xx so that Meta delivers again.
 */
const routes = (deps: WebhookDeps) => {
  const verify = signatureVerifier(deps);
  return dispatch(ROUTES, 'webhook', {
    health: async () => {
      await deps.secrets.get();
      return json(200, { status: 'ok' });
    },
    'webhook.verify': async (event) => {
      const { verifyToken } = await deps.secrets.get();
      return text(200, answerVerification(event.queryStringParameters ?? {}, verifyToken));
    },
    'webhook.receive': (event) => ingest(event, deps, verify),
  });
};

/** The webhook Lambda handler, built from its dependencies (AWS clients, or local mode's adapters). */
export const createWebhookHandler = (deps: WebhookDeps) =>
  httpLambda(deps.telemetry, routes(deps), {
    onRefused: (event, error) => {
      if (event.requestContext.http.method.toUpperCase() !== 'POST') return;
      const reason = error instanceof SwitchboardError ? error.code : 'internal_error';
      deps.telemetry.count('DeliveriesRejected', 1, { Reason: reason });
    },
  });
