import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { type HttpErrorOptions, httpErrors } from './http/http-errors.js';
import type { HttpApiEvent, HttpResult } from './http/types.js';
import type { Telemetry } from './observability/telemetry.js';

/**
 * Flushes metrics once per invocation, like Powertools' `logMetrics`, but only when there are some:
 * invocations without metrics (verification requests, reads) stay silent instead of warning.
 */
const publishMetrics = (metrics: Metrics): MiddlewareObj => {
  let coldStart = true;
  const flush = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: async () => {
      if (coldStart) {
        coldStart = false;
        metrics.captureColdStartMetric();
      }
    },
    after: flush,
    onError: flush,
  };
};

/**
 * The middleware stack every Switchboard function runs, in AWS and in local mode alike: the Lambda
 * context on every log line, and metrics flushed once per invocation.
 */
export const lambda = <E, R>(telemetry: Telemetry, handler: (event: E, context: Context) => Promise<R>) =>
  middy<E, R>(handler)
    .use(injectLambdaContext(telemetry.logger, { resetKeys: true }))
    .use(publishMetrics(telemetry.metrics));

/**
 * An HTTP-facing function: the common stack plus the one error mapping (`httpErrors`), so handlers only
 * throw typed errors and never build error answers themselves.
 */
export const httpLambda = (
  telemetry: Telemetry,
  handler: (event: HttpApiEvent, context: Context) => Promise<HttpResult>,
  options: HttpErrorOptions = {},
) => lambda<HttpApiEvent, HttpResult>(telemetry, handler).use(httpErrors(telemetry, options));
