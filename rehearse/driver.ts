import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSMessageAttributes } from 'aws-lambda';
import { signBody } from '../shared/platform/http/signature.js';
import type { HttpApiEvent, HttpResult } from '../shared/platform/http/types.js';
import { type Deployment, META_SECRET, REGION } from './deployment.js';
import { observe } from './observe.js';
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

/** An SQS message as Lambda's event source hands it to the function. */
const sqsRecord = (message: Message, queueArn: string) => ({
  messageId: String(message.MessageId),
  receiptHandle: String(message.ReceiptHandle),
  body: String(message.Body),
  attributes: message.Attributes ?? {},
  messageAttributes: Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        stringValue: value.StringValue,
        stringListValues: [],
        binaryListValues: [],
        dataType: String(value.DataType),
      },
    ]),
  ) as SQSMessageAttributes,
  md5OfBody: String(message.MD5OfBody),
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: REGION,
});

/**
 * Lambda's SQS event sources: each mapped queue received from (in moto) ten at a time, the batch handed to its
 * function, and the messages it did not report failed deleted; until no queue has any.
 */
const drainQueues = async (
  deployment: Deployment,
  check: (name: string, ok: boolean, detail: unknown) => void,
) => {
  const { containers, aws, names, template } = deployment;
  const sources = eventSourcesOf(template);
  for (let round = 0; round < 10; round++) {
    let delivered = 0;
    for (const [queueId, fnId] of sources) {
      const queueUrl = names.resolve(queueId, undefined, 'AWS::SQS::Queue') ?? '';
      for (;;) {
        const received = await aws.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) break;
        let failed = new Set(messages.map((message) => String(message.MessageId)));
        let answer: unknown;
        try {
          const response = await containers.get(fnId)?.invoke<SQSBatchResponse>({
            Records: messages.map((message) =>
              sqsRecord(message, names.resolve(queueId, 'Arn', 'AWS::SQS::Queue') ?? ''),
            ),
          });
          answer = response ?? {};
          failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        } catch (error) {
          answer = String(error);
        }
        check(`${fnId} consumes ${messages.length} message(s) from ${queueId}`, failed.size === 0, answer);
        const done = messages.filter((message) => !failed.has(String(message.MessageId)));
        if (done.length > 0)
          await aws.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((message, index) => ({
                Id: String(index),
                ReceiptHandle: message.ReceiptHandle,
              })),
            }),
          );
        delivered += messages.length;
        if (failed.size > 0) break;
      }
    }
    if (delivered === 0) return;
  }
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
  const { template, containers } = deployment;
  const observer = observe(deployment);
  const routes = routesOf(template);

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

  const drain = () => drainQueues(deployment, check);

  return { checks, check, http, deliver, drain, deployment, observer };
};

export type Driver = ReturnType<typeof driver>;
