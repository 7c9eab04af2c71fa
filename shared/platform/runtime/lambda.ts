import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { type HttpErrorOptions, httpErrors } from '../http/http-errors.js';
import type { HttpApiEvent, HttpResult } from '../http/types.js';
import type { EmfMetrics } from '../observability/emf.js';
import type { Telemetry } from '../observability/telemetry.js';

/** The invocation's context on every log line (Powertools' `injectLambdaContext`, for our logger). */
const logContext = (telemetry: Telemetry): MiddlewareObj<unknown, unknown, Error, Context> => ({
  before: async (request) => telemetry.logger.addContext(request.context),
});

/**
 * Flushes metrics once per invocation, like Powertools' `logMetrics`, but only when there are some:
 * invocations without metrics (verification requests, reads) stay silent. The first invocation of a container
 * also counts `ColdStart` (dimension `function_name`), as Powertools does.
 */
const publishMetrics = (metrics: EmfMetrics): MiddlewareObj<unknown, unknown, Error, Context> => {
  let coldStart = true;
  const flush = async () => {
    if (metrics.hasStored()) metrics.publish();
  };
  return {
    before: async (request) => {
      if (coldStart) {
        coldStart = false;
        metrics.single('ColdStart', 'Count', 1, { function_name: request.context.functionName });
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
  middy<E, R>(handler).use(logContext(telemetry)).use(publishMetrics(telemetry.metrics));

/**
 * An HTTP-facing function: the common stack plus the one error mapping (`httpErrors`), so handlers only
 * throw typed errors and never build error answers themselves.
 */
export const httpLambda = (
  telemetry: Telemetry,
  handler: (event: HttpApiEvent, context: Context) => Promise<HttpResult>,
  options: HttpErrorOptions = {},
) => lambda<HttpApiEvent, HttpResult>(telemetry, handler).use(httpErrors(telemetry, options));
