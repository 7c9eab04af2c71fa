import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse } from 'aws-lambda';
import { signBody } from '../shared/platform/http/signature.js';
import type { HttpApiEvent, HttpResult } from '../shared/platform/http/types.js';
import { ACCOUNT, type Deployment, META_SECRET, REGION } from './deployment.js';
import { eventSourcesOf, routesOf } from './template.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
const httpEvent = (
  routeKey: string,
  path: string,
  options: { body?: string; headers?: Record<string, string>; query?: Record<string, string> } = {},
): HttpApiEvent => {
  const method = routeKey.split(' ')[0] ?? 'GET';
  const query = options.query;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(query === undefined ? {} : { queryStringParameters: query }),
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      http: { method, path, sourceIp: '203.0.113.9' },
      timeEpoch: Date.now(),
    },
  };
};

/** Path parameters the way API Gateway fills them from the route template. */
const withPathParameters = (event: HttpApiEvent, template: string, path: string): HttpApiEvent => {
  const names = template.split('/');
  const values = path.split('/');
  const parameters: Record<string, string> = {};
  names.forEach((part, index) => {
    if (part.startsWith('{')) parameters[part.slice(1, -1)] = values[index] ?? '';
  });
  return Object.keys(parameters).length === 0 ? event : { ...event, pathParameters: parameters };
};

/**
 * How the rehearsal talks to the bundles: through the template's own wiring (the route that API Gateway
 * would match, the event source mapping that Lambda would poll), recording a check per expectation.
 */
export const driver = (deployment: Deployment) => {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: unknown) =>
    checks.push({
      name,
      ok,
      detail: typeof detail === 'string' ? detail : JSON.stringify(detail).slice(0, 300),
    });
  const { template, containers, aws, names } = deployment;
  const routes = routesOf(template);
  const sources = eventSourcesOf(template);

  const http = async (
    method: 'GET' | 'POST',
    path: string,
    options: Parameters<typeof httpEvent>[2] = {},
  ) => {
    const routeKey = [...routes.keys()].find((key) => {
      const [m, p = ''] = key.split(' ');
      return m === method && new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path);
    });
    const fn = routeKey === undefined ? undefined : containers.get(routes.get(routeKey) ?? '');
    if (routeKey === undefined || fn === undefined)
      throw new Error(`no route in the template for ${method} ${path}`);
    const event = withPathParameters(httpEvent(routeKey, path, options), routeKey.split(' ')[1] ?? '', path);
    const result = await fn.invoke<HttpResult>(event);
    let body: Record<string, unknown> = { text: result.body };
    try {
      const parsed: unknown = JSON.parse(result.body);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // a plain-text answer (the verification challenge) stays as text
    }
    return { status: result.statusCode, body };
  };

  const deliver = (body: string, secret = META_SECRET.META_APP_SECRET) =>
    http('POST', '/webhook', { body, headers: { 'x-hub-signature-256': signBody(body, secret) } });

  /** Lambda's SQS event sources: every captured message of a mapped queue, in batches of ten, until none. */
  const drain = async () => {
    for (let round = 0; round < 10; round++) {
      let delivered = 0;
      for (const [queueId, fnId] of sources) {
        const messages = aws.take(names.resolve(queueId, undefined, 'AWS::SQS::Queue') ?? '');
        for (let start = 0; start < messages.length; start += 10) {
          const records = messages.slice(start, start + 10).map((message) => ({
            messageId: message.messageId,
            receiptHandle: randomUUID(),
            body: message.body,
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: String(Date.now()),
              SenderId: ACCOUNT,
              ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: createHash('md5').update(message.body).digest('hex'),
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueId}`,
            awsRegion: REGION,
          }));
          const response = await containers.get(fnId)?.invoke<SQSBatchResponse>({ Records: records });
          check(
            `${fnId} consumes ${records.length} message(s) from ${queueId}`,
            (response?.batchItemFailures ?? []).length === 0,
            response ?? {},
          );
          delivered += records.length;
        }
      }
      if (delivered === 0) return;
    }
  };

  return { checks, check, http, deliver, drain, deployment };
};

export type Driver = ReturnType<typeof driver>;
