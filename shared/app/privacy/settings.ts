import { ConfigError } from '../../kernel/errors.js';
import {
  DAY_SECONDS,
  DEFAULT_RETENTION,
  parseDays,
  type Retention,
  retentionProblems,
} from '../../kernel/retention.js';
import { ENV } from '../../platform/config/constants.js';
import type { EnvReader } from '../../platform/config/env.js';

/**
 * The retention a function enforces or reports, from the environment the stack sets (local mode: the same
 * names, defaults where unset); checked together (`retentionProblems`), once, at cold start.
 */
export const readRetention = (reader: EnvReader): Retention => {
  const archiveDays = reader.parsed(ENV.archiveRetentionDays, parseDays, DEFAULT_RETENTION.archiveDays);
  const retention: Retention = {
    archiveDays: archiveDays ?? DEFAULT_RETENTION.archiveDays,
    passthroughDays: reader.parsed(ENV.archivePassthrough, parseDays, DEFAULT_RETENTION.passthroughDays),
    idleDays: reader.parsed(ENV.idleThreadDays, parseDays, DEFAULT_RETENTION.idleDays),
  };
  const problems = retentionProblems(retention);
  if (archiveDays === null) problems.push(`${ENV.archiveRetentionDays} must be days, not none`);
  if (problems.length > 0) throw new ConfigError(problems);
  return retention;
};

/** The writers' idle period in seconds (undefined: items naming a person never expire). */
export const idleSecondsOf = (retention: Retention): number | undefined =>
  retention.idleDays === null ? undefined : retention.idleDays * DAY_SECONDS;

export type EventUserIds = 'plain' | 'hashed';

/** `EVENT_USER_IDS`: `plain` (default) or `hashed`. */
export const readEventUserIds = (reader: EnvReader): EventUserIds =>
  reader.parsed(
    ENV.eventUserIds,
    (raw): EventUserIds => {
      if (raw === 'plain' || raw === 'hashed') return raw;
      throw new Error(`must be plain or hashed, got "${raw}"`);
    },
    'plain',
  );
