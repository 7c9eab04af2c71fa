import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListMessageMoveTasksCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { redrivePrefix } from '../../cli/redrive-core.js';
import { relayReplayWindow } from '../../cli/relay.js';
import { stackWithDlq } from '../support/redrive-aws.js';

describe('the relay in the CLI', () => {
  it('redrives relay:<name> from the stack outputs Relay<Title>QueueUrl and Relay<Title>DlqUrl', async () => {
    // Prepare
    const { sqs, cloudFormation, redrive } = stackWithDlq('RelayCrmEu', 'relay', 2);
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolves({ Results: [{ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 2 }] });
    // Act
    const result = await redrive('relay:crm-eu');
    // Assess
    expect(result).toEqual({ queue: 'relay:crm-eu', moved: 2, status: 'COMPLETED' });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: 'arn:relay-dlq',
      DestinationArn: 'arn:relay',
    });
    expect([redrivePrefix('relay:crm-eu'), redrivePrefix('relay:Bad'), redrivePrefix('relay:')]).toEqual([
      'RelayCrmEu',
      undefined,
      undefined,
    ]);
    sqs.restore();
    cloudFormation.restore();
  });

  it('`relay replay` calls the route until the window is done, adding up what was queued', async () => {
    // Prepare: the first call runs out of time and says where to continue.
    const bodies: unknown[] = [];
    const server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      request.on('end', () => {
        bodies.push({ path: request.url, ...JSON.parse(text) });
        const first = bodies.length === 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(
            first
              ? { deliveries: 3, complete: false, cursor: 'c1' }
              : { deliveries: 2, complete: true, cursor: null },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Act
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const progress = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const result = await relayReplayWindow(base, {
      name: 'crm',
      from: 100,
      to: 200,
      region: undefined,
      json: true,
    });
    const output = log.mock.calls.flat().join('\n');
    log.mockRestore();
    progress.mockRestore();
    server.close();
    // Assess
    expect(result).toBe(0);
    expect(bodies).toEqual([
      { path: '/v1/relay/crm/replay', from: 100, to: 200 },
      { path: '/v1/relay/crm/replay', from: 100, to: 200, cursor: 'c1' },
    ]);
    expect(output).toContain('{"destination":"crm","deliveries":5}');
  });
});
