import {
  BadRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  SwitchboardError,
  UnauthorizedError,
} from '../errors.js';
import { headerValue, rawBodyBytes } from '../http/request.js';
import { json, text, toErrorResponse } from '../http/response.js';
import type { HttpApiEvent, HttpResult } from '../http/types.js';
import { lambda } from '../lambda.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { EnvelopePublisher } from '../queue/publisher.js';
import { acceptedAppSecrets, type MetaSecrets, type SecretSource } from '../secrets/meta-secrets.js';
import { sha256Hex } from './event-id.js';
import { verifySignature } from './signature.js';
import { splitDelivery } from './split.js';
import { answerVerification } from './verification.js';

/** Meta documents deliveries up to 3 MB; anything past 4 MiB is refused before it is read. */
export const MAX_WEBHOOK_BODY_BYTES = 4 * 1024 * 1024;

export interface WebhookDeps {
  secrets: SecretSource<MetaSecrets>;
  publisher: EnvelopePublisher;
  telemetry: Telemetry;
  now?: () => number;
}

const decodedLength = (event: HttpApiEvent): number =>
  Buffer.byteLength(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

const parseDelivery = (body: Buffer): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestError('signed body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('signed body is not a JSON object');
  }
  return parsed as Record<string, unknown>;
};

const ingest = async (event: HttpApiEvent, deps: WebhookDeps): Promise<HttpResult> => {
  if (decodedLength(event) > MAX_WEBHOOK_BODY_BYTES) throw new PayloadTooLargeError(MAX_WEBHOOK_BODY_BYTES);
  const body = rawBodyBytes(event);
  const secrets = await deps.secrets.get();
  if (!verifySignature(body, headerValue(event, 'x-hub-signature-256'), acceptedAppSecrets(secrets))) {
    throw new UnauthorizedError();
  }
  const deliveryId = sha256Hex(body).slice(0, 32);
  const envelopes = splitDelivery(parseDelivery(body), { deliveryId, receivedAt: (deps.now ?? Date.now)() });
  const summary = await deps.publisher.publish(envelopes);

  const { telemetry } = deps;
  telemetry.count('DeliveriesAccepted');
  telemetry.count('ChangesQueued', summary.messages);
  telemetry.count('PassthroughMessages', summary.byQueue.passthrough);
  telemetry.count('ClaimChecks', summary.claimChecks);
  telemetry.count('QueueSendRetries', summary.retries);
  const kinds = new Map<string, number>();
  for (const envelope of envelopes) kinds.set(envelope.kind, (kinds.get(envelope.kind) ?? 0) + 1);
  for (const [kind, count] of kinds) telemetry.count('ChangesByKind', count, { Kind: kind.slice(0, 64) });
  // DEBUG: the access log and the metrics already record every delivery; INFO here would double the log bill.
  telemetry.logger.debug('delivery queued', { deliveryId, ...summary });
  return json(200, { deliveryId, queued: summary.messages });
};

/**
 * `GET /webhook` (Meta's verification), `POST /webhook` (signed deliveries) and `GET /healthz`.
 * Every failure maps to a status through `toErrorResponse`; a dependency failure is a 5xx so Meta retries.
 */
export const handleWebhookRequest = async (event: HttpApiEvent, deps: WebhookDeps): Promise<HttpResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  try {
    if (path === '/healthz') {
      await deps.secrets.get();
      return json(200, { status: 'ok' });
    }
    if (path !== '/webhook') throw new NotFoundError(`no route for ${path}`);
    if (method === 'GET') {
      const { verifyToken } = await deps.secrets.get();
      return text(200, answerVerification(event.queryStringParameters ?? {}, verifyToken));
    }
    if (method === 'POST') return await ingest(event, deps);
    throw new MethodNotAllowedError(`${method} is not supported on /webhook`);
  } catch (error) {
    const response = toErrorResponse(error);
    const reason = error instanceof SwitchboardError ? error.code : 'internal_error';
    if (method === 'POST') deps.telemetry.count('DeliveriesRejected', 1, { Reason: reason });
    const log = {
      method,
      path,
      status: response.statusCode,
      reason,
      error: error instanceof Error ? error.message : String(error),
    };
    if (response.statusCode >= 500) deps.telemetry.logger.error('webhook request failed', log);
    else deps.telemetry.logger.warn('webhook request refused', log);
    return response;
  }
};

/** The webhook Lambda handler, built from its dependencies (AWS clients, or local mode's adapters). */
export const createWebhookHandler = (deps: WebhookDeps) =>
  lambda(deps.telemetry, (event: HttpApiEvent) => handleWebhookRequest(event, deps));
