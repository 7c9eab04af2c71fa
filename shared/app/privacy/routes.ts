import { BadRequestError, NotFoundError } from '../../kernel/errors.js';
import { parseJsonObject } from '../../kernel/json.js';
import type { RouteHandlers } from '../../platform/http/dispatch.js';
import { headerValue, pathParameter, rawBodyBytes } from '../../platform/http/request.js';
import { json } from '../../platform/http/response.js';
import type { HttpApiEvent, HttpResult } from '../../platform/http/types.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import {
  acceptedAppSecrets,
  type MetaSecrets,
  type SecretSource,
} from '../../platform/secrets/meta-secrets.js';
import { type ErasureDeps, type ErasureRecord, eraseUser, readErasure } from './erasure.js';
import { readDeletionRequest, signatureValid, splitSignedRequest } from './signed-request.js';
import { statusHtml, statusJson } from './status.js';
import { requireUserId } from './user-id.js';

export interface PrivacyDeps extends ErasureDeps {
  /** The Meta app secret (and the previous one): the callback's `signed_request` is signed with it. */
  secrets: SecretSource<MetaSecrets>;
  telemetry: Telemetry;
}

/** A signed request is about 200 bytes; a form far larger is not Meta's. */
const MAX_CALLBACK_BYTES = 16 * 1024;
/** At most one forced re-read of the Meta secret per this long (a rotated secret; unsigned floods). */
const SECRET_REREAD_INTERVAL_MS = 30_000;

/** `signed_request` from Meta's form post (or a JSON body, for scripts). */
const signedRequestOf = (event: HttpApiEvent): string => {
  const body = rawBodyBytes(event);
  if (body.length > MAX_CALLBACK_BYTES) throw new BadRequestError('the request body is too large');
  const text = body.toString('utf8');
  const contentType = headerValue(event, 'content-type') ?? '';
  const value = /json/i.test(contentType)
    ? parseJsonObject(text)?.signed_request
    : new URLSearchParams(text).get('signed_request');
  if (typeof value !== 'string' || value === '') throw new BadRequestError('signed_request is required');
  return value;
};

/** Where the status page of a confirmation code is, on the host the request came to. */
const statusUrl = (event: HttpApiEvent, code: string): string => {
  const host = headerValue(event, 'host') ?? 'localhost';
  const loopback = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);
  const protocol = headerValue(event, 'x-forwarded-proto') ?? (loopback ? 'http' : 'https');
  return `${protocol}://${host}/data-deletion/${code}`;
};

const CONFIRMATION_CODE = /^[A-Za-z0-9]{1,64}$/;

/** A browser asks for HTML; anything else (scripts, `curl`) gets JSON. */
const wantsHtml = (event: HttpApiEvent): boolean => /text\/html/i.test(headerValue(event, 'accept') ?? '');

const counted = (deps: PrivacyDeps, record: ErasureRecord): void => {
  deps.telemetry.count('UsersErased', 1, { RequestedBy: record.requestedBy });
  deps.telemetry.count('ItemsErased', record.erased);
};

/**
 * `POST /data-deletion` (Meta's Data Deletion Request Callback; public, proved by the signature),
 * `GET /data-deletion/{confirmationCode}` (its status page; public, as Meta requires, and naming nobody) and
 * `DELETE /v1/users/{userId}` (the operator's erasure; SigV4).
 */
export const privacyRoutes = (deps: PrivacyDeps): RouteHandlers => {
  let lastReread = Number.NEGATIVE_INFINITY;
  const verified = async (signedRequest: string) => {
    const parts = splitSignedRequest(signedRequest);
    if (signatureValid(parts, acceptedAppSecrets(await deps.secrets.get())))
      return readDeletionRequest(parts);
    // A secret rotated since this container read it: read it again, at most every 30 s.
    const now = deps.now();
    if (now - lastReread >= SECRET_REREAD_INTERVAL_MS) {
      lastReread = now;
      if (signatureValid(parts, acceptedAppSecrets(await deps.secrets.get(true))))
        return readDeletionRequest(parts);
    }
    deps.telemetry.count('DeletionRequestsRefused');
    throw new BadRequestError('signed_request signature does not match the app secret');
  };
  return {
    'privacy.deletion': async (event): Promise<HttpResult> => {
      const request = await verified(signedRequestOf(event));
      const record = await eraseUser(deps, request.userId, 'meta');
      counted(deps, record);
      const code = record.confirmationCode;
      return json(200, { url: statusUrl(event, code), confirmation_code: code });
    },
    'privacy.status': async (event): Promise<HttpResult> => {
      const code = pathParameter(event, 'confirmationCode');
      if (!CONFIRMATION_CODE.test(code))
        throw new BadRequestError('a confirmation code is letters and digits');
      const record = await readErasure(deps.control, code);
      if (record === undefined) throw new NotFoundError(`no data deletion request ${code}`);
      if (!wantsHtml(event)) return json(200, statusJson(record, deps.retention));
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: statusHtml(record, deps.retention),
      };
    },
    'users.erase': async (event): Promise<HttpResult> => {
      const userId = requireUserId(pathParameter(event, 'userId'));
      const record = await eraseUser(deps, userId, 'operator');
      counted(deps, record);
      // `erased` and `confirmationCode` first (CONTRACT), then what remains and until when.
      return json(200, statusJson(record, deps.retention));
    },
  };
};
