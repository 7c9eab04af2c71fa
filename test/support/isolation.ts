import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, vi } from 'vitest';

/*
 * The fast tier runs test files without isolation (vitest.config.ts): a file's worker keeps the modules of the
 * files before it. This setup file fails the file that leaves an SDK client mocked (aws-sdk-client-mock stubs the
 * client class's `send` for every later file), fake timers on (a later file's timers would never fire) or the
 * environment changed; and it restores every `vi.spyOn` spy, so a test that failed before its own restore does
 * not spread to the next file.
 */
const CLIENTS = {
  CloudFormationClient,
  DynamoDBClient,
  EventBridgeClient,
  FirehoseClient,
  S3Client,
  SecretsManagerClient,
  SQSClient,
};

/** Set by a library when it is first imported, once per worker (Powertools' user agent for the SDK). */
const SET_ON_IMPORT = new Set(['AWS_SDK_UA_APP_ID']);
const environment = { ...process.env };

afterAll(() => {
  vi.restoreAllMocks();
  if (vi.isFakeTimers()) {
    vi.useRealTimers();
    throw new Error('this test file left fake timers on: call vi.useRealTimers() in afterEach');
  }
  for (const [name, client] of Object.entries(CLIENTS)) {
    if ('restore' in client.prototype.send)
      throw new Error(`this test file left ${name}.send mocked: call restore() on its mock in afterAll`);
  }
  const changed = Object.keys({ ...environment, ...process.env }).filter(
    (key) => process.env[key] !== environment[key] && !SET_ON_IMPORT.has(key),
  );
  if (changed.length > 0)
    throw new Error(`this test file left the environment changed (${changed.join(', ')}): restore it`);
});
