import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { closeServer } from '../local/net.js';
import {
  jsonAccessDenied,
  limitMotoSkips,
  needsResigning,
  resignForMoto,
  type StreamRecord,
  streamRecord,
} from './moto-differences.js';

/** One AWS call a function made, as IAM names it, with the request context its conditions may read. */
export interface RecordedCall {
  /** The function (logical ID) whose credentials signed it; `rehearsal` for the rehearsal's own calls. */
  caller: string;
  /** IAM action, e.g. `sqs:SendMessage` (a batch call is recorded under the action AWS authorizes it by). */
  action: string;
  /** The SDK operation, e.g. `SendMessageBatch`. */
  operation: string;
  /** Queue URL, table name, secret ID, bus or stream name, or `bucket/key`. */
  resource: string;
  context: Record<string, string>;
}

/** A call moto refused (authorization, signature or limits), as the function saw it. */
export interface Refusal {
  caller: string;
  call: string;
  status: number;
  message: string;
}

/** A change to a request the rehearsal makes on purpose (the canaries); answers the new input, or undefined. */
export type Mutation = (
  target: string,
  input: Record<string, unknown>,
) => Record<string, unknown> | undefined;

/** SDK operations whose IAM permission has another name. */
const IAM_NAME: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};
const PREFIX: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  AmazonSQS: 'sqs',
  secretsmanager: 'secretsmanager',
  AWSEvents: 'events',
  Firehose_20150804: 'firehose',
};

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const resourcesOf = (prefix: string, input: Record<string, unknown>): string[] => {
  if (prefix === 'dynamodb')
    return input.TableName === undefined
      ? Object.keys((input.RequestItems as Record<string, unknown> | undefined) ?? {})
      : [String(input.TableName)];
  if (prefix === 'sqs') return [String(input.QueueUrl ?? input.QueueName ?? '')];
  if (prefix === 'secretsmanager') return [String(input.SecretId ?? input.Name ?? '')];
  if (prefix === 'events')
    return ((input.Entries as { EventBusName?: string }[] | undefined) ?? []).map(
      (e) => e.EventBusName ?? 'default',
    );
  return [String(input.DeliveryStreamName ?? '')];
};

/**
 * The functions' way to AWS: a loopback proxy in front of moto that records every call (who signed it, the IAM
 * action, the resource), applies moto-differences.ts, and passes everything else through unchanged, so moto
 * (with IAM enforced) answers. It also keeps the DynamoDB stream records of every applied UpdateItem.
 */
export class AwsProxy {
  public readonly calls: RecordedCall[] = [];
  public readonly refusals: Refusal[] = [];
  public readonly streams: StreamRecord[] = [];
  public endpoint = '';
  private readonly server = createServer((request, response) => {
    void this.handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  private readonly moto: URL;

  public constructor(
    motoEndpoint: string,
    private readonly region: string,
    private readonly account: string,
    /** Access key ID → the caller's name and secret key. */
    private readonly identities: Map<string, { caller: string; secret: string }>,
    private readonly admin: { accessKeyId: string; secretAccessKey: string },
    private readonly mutate: Mutation | undefined,
  ) {
    this.moto = new URL(motoEndpoint);
  }

  public async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  public close(): Promise<void> {
    return closeServer(this.server);
  }

  private callerOf(headers: Record<string, string>): string {
    const key = /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1] ?? '';
    return this.identities.get(key)?.caller ?? 'unknown';
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = await readBody(request);
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : String(value),
      ]),
    );
    const url = request.url ?? '/';
    const method = request.method ?? 'GET';
    const caller = this.callerOf(headers);
    const target = headers['x-amz-target'] ?? '';
    const [service = '', operation = ''] = target.split('.');
    const prefix = PREFIX[service];
    let bodyChanged = false;
    let input: Record<string, unknown> = {};
    if (prefix !== undefined) {
      input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
      const mutated = this.mutate?.(target, input);
      if (mutated !== undefined) {
        input = mutated;
        body = Buffer.from(JSON.stringify(input), 'utf8');
        bodyChanged = true;
      }
      const action = `${prefix}:${operation}`;
      for (const resource of resourcesOf(prefix, input))
        this.calls.push({ caller, action: IAM_NAME[action] ?? action, operation, resource, context: {} });
      const refusal = limitMotoSkips(target, input);
      if (refusal !== undefined) {
        this.refusals.push({
          caller,
          call: action,
          status: 400,
          message: `${refusal.type}: ${refusal.message}`,
        });
        const version = headers['content-type']?.includes('1.0') ? '1.0' : '1.1';
        response.writeHead(400, {
          'content-type': `application/x-amz-json-${version}`,
          'x-amzn-errortype': refusal.type,
        });
        response.end(JSON.stringify({ __type: refusal.type, message: refusal.message }));
        return;
      }
    } else this.recordS3(caller, method, url);
    const before = await this.streamBefore(operation, prefix, input);
    const signed = needsResigning(url, bodyChanged)
      ? resignForMoto({ method, url, headers, body }, (key) => this.identities.get(key)?.secret)
      : headers;
    const answer = await this.forward(method, url, signed, body);
    if (before !== undefined && answer.status === 200) await this.streamAfter(input, before.item);
    this.answer(
      response,
      answer,
      caller,
      prefix === undefined ? `s3:${method} ${url.split('?')[0]}` : `${prefix}:${operation}`,
      headers,
    );
  }

  private recordS3(caller: string, method: string, url: string): void {
    const parsed = new URL(url, 'http://s3');
    const path = decodeURIComponent(parsed.pathname).replace(/^\//, '').replace(/\/$/, '');
    const listing = method === 'GET' && parsed.searchParams.get('list-type') === '2';
    const action = listing
      ? 's3:ListBucket'
      : method === 'PUT'
        ? 's3:PutObject'
        : method === 'GET'
          ? 's3:GetObject'
          : `s3:${method}`;
    const operation = listing ? 'ListObjectsV2' : action.slice(3);
    const context: Record<string, string> = listing
      ? { 's3:prefix': parsed.searchParams.get('prefix') ?? '' }
      : {};
    this.calls.push({ caller, action, operation, resource: path, context });
  }

  /** The item before an UpdateItem (read with the rehearsal's own credentials), for its stream record. */
  private async streamBefore(operation: string, prefix: string | undefined, input: Record<string, unknown>) {
    if (prefix !== 'dynamodb' || operation !== 'UpdateItem' || input.Key === undefined) return undefined;
    return { item: await this.itemIn(String(input.TableName), input.Key as Record<string, unknown>) };
  }

  private async streamAfter(input: Record<string, unknown>, before: Record<string, unknown> | undefined) {
    const table = String(input.TableName);
    const key = input.Key as Record<string, unknown>;
    const after = await this.itemIn(table, key);
    if (after !== undefined)
      this.streams.push(streamRecord(this.region, this.account, table, key, before, after));
  }

  private async itemIn(table: string, key: Record<string, unknown>) {
    const client = new DynamoDBClient({
      endpoint: this.moto.origin,
      region: this.region,
      credentials: this.admin,
    });
    try {
      const answer = await client.send(
        new GetItemCommand({ TableName: table, Key: key as never, ConsistentRead: true }),
      );
      return answer.Item as Record<string, unknown> | undefined;
    } finally {
      client.destroy();
    }
  }

  private forward(method: string, url: string, headers: Record<string, string>, body: Buffer) {
    return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>(
      (resolve, reject) => {
        const upstream = forward(
          {
            host: this.moto.hostname,
            port: this.moto.port,
            method,
            path: url,
            headers: { ...headers, 'content-length': String(body.length) },
          },
          (answer) => {
            const chunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => chunks.push(chunk));
            answer.on('end', () =>
              resolve({
                status: answer.statusCode ?? 500,
                headers: Object.fromEntries(
                  Object.entries(answer.headers).map(([name, value]) => [
                    name,
                    Array.isArray(value) ? value.join(',') : String(value),
                  ]),
                ),
                body: Buffer.concat(chunks),
              }),
            );
          },
        );
        upstream.on('error', reject);
        upstream.end(body);
      },
    );
  }

  private answer(
    response: ServerResponse,
    answer: { status: number; headers: Record<string, string>; body: Buffer },
    caller: string,
    call: string,
    request: Record<string, string>,
  ): void {
    const text = answer.status >= 400 ? answer.body.toString('utf8') : '';
    if (
      /AccessDenied|SignatureDoesNotMatch|InvalidClientTokenId|InvalidAccessKeyId|TooManyEntries|BatchRequestTooLong/.test(
        text,
      )
    ) {
      const message =
        /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ??
        /"message"\s*:\s*"([^"]*)"/i.exec(text)?.[1] ??
        text.slice(0, 200);
      const code =
        /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? /"__type"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? '';
      this.refusals.push({ caller, call, status: answer.status, message: `${code}: ${message}` });
    }
    const jsonCall = request['x-amz-target'] !== undefined;
    if (jsonCall && answer.status === 403 && text.trimStart().startsWith('<')) {
      const version = request['content-type']?.includes('1.0') ? '1.0' : '1.1';
      const denied = jsonAccessDenied(text, version);
      response.writeHead(400, denied.headers).end(denied.body);
      return;
    }
    const { 'transfer-encoding': _chunked, connection: _connection, ...headers } = answer.headers;
    response.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
    response.end(answer.body);
  }
}
