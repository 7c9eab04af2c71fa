import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../local/net.js';
import {
  answerJsonService,
  answerS3,
  itemIn,
  type PutEvent,
  type StreamRecord,
  streamRecord,
} from './stand-ins-more.js';

/** One AWS API call a function made, attributed by the access key ID each function process signs with. */
export interface RecordedCall {
  caller: string;
  /** IAM action, e.g. `sqs:SendMessageBatch`. */
  action: string;
  /** The queue URL, secret ID or bucket/key the call named. */
  resource: string;
}

export interface CapturedMessage {
  queueUrl: string;
  messageId: string;
  body: string;
  attributes: Record<string, { DataType?: string; StringValue?: string }>;
}

interface StoredSecret {
  arn: string;
  name: string;
  value: string;
  versions: number;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

const callerOf = (request: IncomingMessage): string =>
  /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? 'anonymous';

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const awsJson = (response: ServerResponse, status: number, body: unknown, version = '1.0') => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-requestid': randomUUID(),
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
};

const awsError = (response: ServerResponse, type: string, message: string, version = '1.0') => {
  response.setHeader('x-amzn-errortype', type);
  awsJson(response, 400, { __type: type, message }, version);
};

/**
 * The AWS services the functions call, on one loopback port: DynamoDB (recorded, then answered by
 * dynalite), SQS in the JSON protocol the SDK speaks since 2023, Secrets Manager (JSON 1.1) and S3
 * (path-style REST). Only what the functions use is implemented; anything else answers an error naming the
 * call, so a new call shows up here first instead of in production.
 */
export class AwsStandIns {
  public readonly calls: RecordedCall[] = [];
  public readonly messages: CapturedMessage[] = [];
  public readonly secrets = new Map<string, StoredSecret>();
  public readonly objects = new Map<string, Buffer>();
  public readonly unsupported: string[] = [];
  /** DynamoDB stream records of every applied UpdateItem (dynalite has no streams). */
  public readonly streams: StreamRecord[] = [];
  public readonly events: PutEvent[] = [];
  public readonly archived: { stream: string; data: Buffer }[] = [];
  public endpoint = '';
  private readonly server = createServer((request, response) => {
    void this.handle(request, response).catch((error: unknown) =>
      awsError(response, 'InternalFailure', String(error)),
    );
  });

  public constructor(
    private readonly region: string,
    private readonly account: string,
    private readonly dynamoEndpoint: string,
  ) {}

  public async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  public close(): Promise<void> {
    return closeServer(this.server);
  }

  public putSecret(name: string, value: string): StoredSecret {
    const secret: StoredSecret = {
      arn: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${randomUUID().slice(0, 6)}`,
      name,
      value,
      versions: 1,
    };
    this.secrets.set(secret.arn, secret);
    return secret;
  }

  /** Messages sent to `queueUrl` since the last take, removed (a consumer received and deleted them). */
  public take(queueUrl: string): CapturedMessage[] {
    const taken = this.messages.filter((message) => message.queueUrl === queueUrl);
    for (const message of taken) this.messages.splice(this.messages.indexOf(message), 1);
    return taken;
  }

  private secretFor(id: string): StoredSecret | undefined {
    return this.secrets.get(id) ?? [...this.secrets.values()].find((secret) => secret.name === id);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const [service, operation = ''] = String(request.headers['x-amz-target'] ?? '').split('.');
    const input = (): Record<string, unknown> => (body.length === 0 ? {} : JSON.parse(body.toString('utf8')));
    if (service === 'DynamoDB_20120810') await this.dynamodb(request, response, operation, body);
    else if (service === 'AmazonSQS') this.sqs(request, response, operation, input());
    else if (service === 'secretsmanager') this.secretsManager(request, response, operation, input());
    else if (service !== undefined && service !== '') {
      const call = answerJsonService(`${service}.${operation}`, input(), response, this);
      if (call === undefined) {
        this.unsupported.push(`${service}.${operation}`);
        awsError(response, 'UnsupportedOperation', `rehearsal stand-in: ${service}.${operation}`, '1.1');
      } else for (const resource of call.resources) this.record(request, call.action, resource);
    } else this.s3(request, response, body);
  }

  private record(request: IncomingMessage, action: string, resource: string): void {
    this.calls.push({ caller: callerOf(request), action, resource });
  }

  /** DynamoDB calls are recorded, then answered by dynalite: the real table behaviour. */
  private async dynamodb(
    request: IncomingMessage,
    response: ServerResponse,
    operation: string,
    body: Buffer,
  ) {
    const input = JSON.parse(body.toString('utf8')) as {
      TableName?: string;
      RequestItems?: Record<string, unknown>;
      Key?: Record<string, unknown>;
    };
    const tables = input.TableName === undefined ? Object.keys(input.RequestItems ?? {}) : [input.TableName];
    for (const table of tables) this.record(request, `dynamodb:${operation}`, table);
    const streamed = operation === 'UpdateItem' && input.TableName !== undefined && input.Key !== undefined;
    // dynalite checks that a request is signed, not the signature: the function's own headers do.
    const signed = {
      authorization: String(request.headers.authorization),
      date: String(request.headers['x-amz-date']),
    };
    const before = streamed
      ? await itemIn(this.dynamoEndpoint, input.TableName ?? '', input.Key ?? {}, signed)
      : undefined;
    const upstream = await fetch(this.dynamoEndpoint, {
      method: 'POST',
      headers: {
        'content-type': String(request.headers['content-type']),
        'x-amz-target': String(request.headers['x-amz-target']),
        authorization: String(request.headers.authorization),
        'x-amz-date': String(request.headers['x-amz-date']),
      },
      body,
    });
    const text = await upstream.text();
    if (streamed && upstream.status === 200) {
      const after = await itemIn(this.dynamoEndpoint, input.TableName ?? '', input.Key ?? {}, signed);
      if (after !== undefined)
        this.streams.push(
          streamRecord(this.region, this.account, input.TableName ?? '', input.Key ?? {}, before, after),
        );
    }
    const crc = upstream.headers.get('x-amz-crc32');
    response.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/x-amz-json-1.0',
      ...(crc === null ? {} : { 'x-amz-crc32': crc }),
    });
    response.end(text);
  }

  private sqs(
    request: IncomingMessage,
    response: ServerResponse,
    operation: string,
    input: Record<string, unknown>,
  ) {
    const queueUrl = String(input.QueueUrl ?? '');
    this.record(request, `sqs:${operation}`, queueUrl);
    const capture = (body: string, attributes: unknown) => {
      const messageId = randomUUID();
      this.messages.push({
        queueUrl,
        messageId,
        body,
        attributes: (attributes ?? {}) as CapturedMessage['attributes'],
      });
      return { MessageId: messageId, MD5OfMessageBody: md5(body) };
    };
    if (operation === 'SendMessage') {
      return awsJson(response, 200, capture(String(input.MessageBody), input.MessageAttributes));
    }
    if (operation === 'SendMessageBatch') {
      const entries = (input.Entries ?? []) as {
        Id: string;
        MessageBody: string;
        MessageAttributes?: unknown;
      }[];
      return awsJson(response, 200, {
        Successful: entries.map((entry) => ({
          Id: entry.Id,
          ...capture(entry.MessageBody, entry.MessageAttributes),
        })),
        Failed: [],
      });
    }
    this.unsupported.push(`sqs:${operation}`);
    return awsError(
      response,
      'UnsupportedOperation',
      `rehearsal stand-in: sqs:${operation} is not implemented`,
    );
  }

  private secretsManager(
    request: IncomingMessage,
    response: ServerResponse,
    operation: string,
    input: Record<string, unknown>,
  ) {
    const id = String(input.SecretId ?? input.Name ?? '');
    this.record(request, `secretsmanager:${operation}`, id);
    const existing = this.secretFor(id);
    const answer = (body: unknown) => awsJson(response, 200, body, '1.1');
    const missing = () => awsError(response, 'ResourceNotFoundException', `no secret ${id}`, '1.1');
    switch (operation) {
      case 'GetSecretValue':
        if (existing === undefined) return missing();
        return answer({
          ARN: existing.arn,
          Name: existing.name,
          SecretString: existing.value,
          VersionId: `v${existing.versions}`,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Math.floor(Date.now() / 1000),
        });
      case 'CreateSecret': {
        if (existing !== undefined)
          return awsError(response, 'ResourceExistsException', `${id} exists`, '1.1');
        const created = this.putSecret(id, String(input.SecretString ?? ''));
        return answer({ ARN: created.arn, Name: created.name, VersionId: 'v1' });
      }
      case 'PutSecretValue':
        if (existing === undefined) return missing();
        existing.value = String(input.SecretString ?? '');
        existing.versions += 1;
        return answer({ ARN: existing.arn, Name: existing.name, VersionId: `v${existing.versions}` });
      default:
        this.unsupported.push(`secretsmanager:${operation}`);
        return awsError(response, 'UnsupportedOperation', `rehearsal stand-in: ${operation}`, '1.1');
    }
  }

  private s3(request: IncomingMessage, response: ServerResponse, body: Buffer) {
    answerS3(request, response, body, this.objects, {
      record: (action, resource) => this.record(request, action, resource),
      unsupported: (action) => this.unsupported.push(action),
    });
  }
}

export const startAwsStandIns = (region: string, account: string, dynamoEndpoint: string) =>
  new AwsStandIns(region, account, dynamoEndpoint).start();
