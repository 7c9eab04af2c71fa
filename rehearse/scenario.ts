import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse } from 'aws-lambda';
import { EXAMPLE, FIXTURES } from '../fixtures/deliveries.js';
import type { HttpApiEvent, HttpResult } from '../shared/http/types.js';
import { signBody } from '../shared/webhook/signature.js';
import { ACCOUNT, type Deployment, META_SECRET, REGION } from './deployment.js';
import { eventSourcesOf, routesOf, scheduledFunctionsOf } from './template.js';

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
 * The rehearsal's story, told to the bundles through the template's own wiring (routes, event source
 * mappings, schedule): signed deliveries in, consumers fed from what the webhook queued, state read back,
 * actions against the sandbox Graph API, a scheduled and an on-demand reconciliation.
 */
export const runScenario = async (deployment: Deployment): Promise<Check[]> => {
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

  check('GET /healthz answers 200', (await http('GET', '/healthz')).status === 200, '');
  const verification = await http('GET', '/webhook', {
    query: {
      'hub.mode': 'subscribe',
      'hub.verify_token': META_SECRET.META_VERIFY_TOKEN,
      'hub.challenge': '1158201444',
    },
  });
  check(
    'Meta verification echoes the challenge',
    verification.status === 200 && verification.body.text === '1158201444',
    verification,
  );

  const partnerAdded = JSON.stringify(FIXTURES['partner-added']?.body);
  const unsigned = await http('POST', '/webhook', { body: partnerAdded });
  check('an unsigned delivery answers 401', unsigned.status === 401, unsigned);
  for (const name of ['partner-added', 'solution-created', 'take-thread-control']) {
    const answer = await deliver(JSON.stringify(FIXTURES[name]?.body));
    check(`signed ${name} answers 200`, answer.status === 200, answer);
  }
  const oversized = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: EXAMPLE.pageId,
        time: Date.now(),
        messaging: [
          {
            sender: { id: EXAMPLE.psid },
            recipient: { id: EXAMPLE.pageId },
            timestamp: Date.now(),
            message: { mid: 'm1', text: 'x'.repeat(300_000) },
          },
        ],
      },
    ],
  });
  const big = await deliver(oversized);
  check(
    'a 300 KB passthrough change is queued by claim check (S3)',
    big.status === 200 && aws.objects.size === 1,
    { status: big.status, objects: aws.objects.size },
  );
  await drain();

  const waba = await http('GET', `/v1/wabas/${EXAMPLE.wabaId}`);
  check(
    'the onboarded WABA reads back with the reference values',
    waba.status === 200 &&
      waba.body.ownerBusinessId === EXAMPLE.customerBusinessId &&
      waba.body.solutionId === EXAMPLE.solutionId &&
      waba.body.active === true,
    waba.body,
  );
  check(
    'its business token was fetched once and kept in Secrets Manager, never in the table',
    typeof waba.body.businessTokenSecret === 'string' &&
      [...aws.secrets.values()].filter((s) => s.name.includes('/business-tokens/')).length === 1,
    waba.body.businessTokenSecret ?? null,
  );
  const solution = await http('GET', `/v1/solutions/${EXAMPLE.createdSolutionId}`);
  check('the created solution reads INITIATED', solution.body.status === 'INITIATED', solution.body);
  const accepted = await http('POST', `/v1/solutions/${EXAMPLE.createdSolutionId}/accept`);
  check(
    'accepting it through the actions bundle records ACTIVE',
    accepted.status === 200 && accepted.body.status === 'ACTIVE',
    accepted,
  );

  const user = '5647382910564739';
  const taken = await http('POST', `/v1/threads/${EXAMPLE.pageId}/${user}/take`, {
    body: JSON.stringify({ metadata: 'rehearsal' }),
  });
  check(
    'take through the actions bundle records our app as owner',
    taken.status === 200 && taken.body.ownerAppId === EXAMPLE.ourAppId,
    taken,
  );
  const released = await http('POST', `/v1/threads/${EXAMPLE.pageId}/${user}/release`);
  check(
    'release records the thread idle',
    released.status === 200 && released.body.ownerAppId === null,
    released,
  );

  for (const fnId of scheduledFunctionsOf(template)) {
    const summary = await containers.get(fnId)?.invoke<Record<string, unknown>>({
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT,
      time: new Date().toISOString(),
      region: REGION,
      resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/schedule`],
      detail: {},
    });
    check(
      `the scheduled run of ${fnId} completes a baseline sweep`,
      summary?.complete === true && summary.baseline === true,
      summary ?? {},
    );
  }
  const discovered = await http('GET', '/v1/wabas/120399918844556');
  check(
    'a WABA no webhook announced reads back as discovered by reconciliation',
    discovered.body.discoveredBy === 'reconciliation',
    discovered.body,
  );
  const onDemand = await http('POST', '/v1/reconcile');
  check(
    'POST /v1/reconcile answers a complete summary',
    onDemand.status === 200 && onDemand.body.complete === true,
    onDemand.body,
  );
  return checks;
};
