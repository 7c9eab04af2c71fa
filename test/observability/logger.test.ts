import { afterEach, describe, expect, it } from 'vitest';
import { Logger } from '../../shared/platform/observability/logger.js';
import { captureOutput, context } from '../support/lambda.js';

/** The log lines operators query in CloudWatch Logs Insights: one JSON object per line, Powertools' keys. */
const linesOf = (output: string) =>
  output
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('Logger', () => {
  afterEach(() => {
    delete process.env.AWS_LAMBDA_LOG_LEVEL;
  });

  it("writes one JSON line per call with the level, service and the invocation's context", async () => {
    // Prepare
    const logger = new Logger('webhook');
    logger.setLogLevel('INFO');

    // Act
    const { output } = await captureOutput(async () => {
      logger.addContext(context('webhook'));
      logger.info('delivery queued', { deliveryId: 'd1', changes: 3 });
      logger.addContext(context('webhook'));
      logger.warn('request refused', { status: 401, level: 'not mine' });
    });

    // Assess
    const [first, second] = linesOf(output);
    expect(first).toMatchObject({
      level: 'INFO',
      message: 'delivery queued',
      service: 'webhook',
      cold_start: true,
      function_name: 'webhook',
      deliveryId: 'd1',
      changes: 3,
    });
    expect(Date.parse(String(first?.timestamp))).not.toBeNaN();
    expect(second).toMatchObject({ level: 'WARN', cold_start: false, extra_level: 'not mine' });
  });

  it("drops lines below its level, and never goes below Lambda's application log level", async () => {
    process.env.AWS_LAMBDA_LOG_LEVEL = 'WARN';
    const logger = new Logger('wabas');
    logger.setLogLevel('DEBUG');

    const { output } = await captureOutput(async () => {
      logger.debug('event processed');
      logger.info('business token stored');
      logger.error('invalid event moved to the DLQ', { big: 2n ** 64n });
    });

    expect(linesOf(output)).toEqual([
      expect.objectContaining({ level: 'ERROR', big: '18446744073709551616' }),
    ]);
    expect(() => logger.setLogLevel('LOUD')).toThrow('Invalid log level');
  });
});
