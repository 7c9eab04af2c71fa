import type { Env } from '../../shared/platform/config/env.js';
import type { ConsumerPorts } from '../../shared/platform/domain/domain.js';
import type { Telemetry } from '../../shared/platform/observability/telemetry.js';
import type { RegisterReads, RegisterWrites } from '../../shared/platform/store/ports.js';

const writes = (table: RegisterReads): RegisterWrites => {
  if (!('write' in table) || typeof table.write !== 'function')
    throw new Error('this table cannot be written');
  return table as RegisterReads & RegisterWrites;
};

/**
 * A domain consumer's ports over a repository's table (a test builds the repository to read back what the
 * consumer wrote); jobs, when given, are collected by the callback.
 */
export const consumerPorts = (
  repository: { table: RegisterReads },
  telemetry: Telemetry,
  options: { env?: Env; jobs?: (queue: string, body: string) => void } = {},
): ConsumerPorts => ({
  table: writes(repository.table),
  telemetry,
  env: options.env ?? {},
  jobs: {
    has: () => options.jobs !== undefined,
    send: async (queue, body) => options.jobs?.(queue, body),
  },
});
