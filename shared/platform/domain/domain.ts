import type { Item } from '../../kernel/registers.js';
import type { Env } from '../config/env.js';
import type { ConsumerSpec } from '../consumers/consumer.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { JsonSchema } from '../events/schema.js';
import type { CliCommands } from './commands.js';

export type { JsonSchema } from '../events/schema.js';

import type { RouteDefinition } from '../http/routes.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { RoutableChange } from '../queue/envelope.js';
import type { SandboxFactory } from '../sandbox/context.js';
import type { EraseUser } from '../store/erasure.js';
import type { RegisterWrites } from '../store/ports.js';
import type { TableDefinition } from '../store/tables.js';

/**
 * What the platform knows of a domain, and all it knows: its name, its table, which changes its queue takes,
 * its routes and its events. Light by design (no decoder, no model): the webhook routes with it, and the stack,
 * local mode, redrive and the CLI loop over the registry of them (`shared/domains/registry.ts`).
 */
export interface DomainManifest {
  /** The domain's queue, table, consumer function (`functions/<name>/handler.ts`) and metric `Domain`. */
  readonly name: string;
  /** Stem of its logical IDs and stack outputs: `Solutions` → `SolutionsQueue`, `SolutionsTableName`, ... */
  readonly title: string;
  readonly table: TableDefinition;
  /** Whether a change Meta sent belongs on this domain's queue (it may also go to passthrough: `alsoPassthrough`). */
  takes(change: RoutableChange): boolean;
  /** A change it takes is also kept whole in passthrough for other systems (a `messages` delivery, ...). */
  readonly alsoPassthrough?: boolean;
  /**
   * The part of a change its queue receives, for a domain that needs a few fields of a large or personal change:
   * the webhook applies it when routing, so the rest never enters the domain's queue, DLQ or table (passthrough,
   * if asked, still gets the whole change). The envelope keeps the whole change's `eventId`. Absent: all of it.
   */
  project?(change: RoutableChange): unknown;
  /** Keys of a Messenger `messaging[]` event that name one of its changes (preferred when naming a change). */
  readonly messagingKinds?: readonly string[];
  /** Its HTTP routes (read API and actions). */
  readonly routes: readonly RouteDefinition[];
  /** The `detail-type` of each domain event it publishes. */
  readonly eventTypes: readonly string[];
  /** Its consumer's Lambda entry point, relative to the repository, when not `functions/<name>/handler.ts`. */
  readonly consumerEntry?: string;
  /** Job queues its consumer may send to; the actions function consumes them. */
  readonly jobs?: readonly JobQueueManifest[];
}

export interface JobQueueManifest {
  /** The queue's name (`business-tokens`): redrive takes it, its DLQ messages name it. */
  readonly name: string;
  /** Stem of its logical ID and outputs (`BusinessTokens` → `BusinessTokensQueue`). */
  readonly title: string;
  /** The `switchboard:<flag>` setting that turns these jobs on; the consumer may send to the queue only then. */
  readonly enabledBy?: string;
}

/** Sends job messages to the domain's job queues (SQS in AWS, an in-process queue in local mode). */
export interface JobSender {
  /** Whether this function was given the queue (its URL is configured). */
  has(queue: string): boolean;
  send(queue: string, body: string): Promise<void>;
}

/** What a domain's consumer is built from, in its function and in local mode alike. */
export interface ConsumerPorts {
  table: RegisterWrites;
  telemetry: Telemetry;
  /** The function's environment, read and validated once by the domain's consumer at cold start. */
  env: Env;
  jobs: JobSender;
}

/**
 * A domain's code, behind its manifest: the consumer, the events it derives from its table's changes, and their
 * schemas. Each domain folder's `index.ts` exports one; `shared/domains/modules.ts` lists them.
 */
export interface DomainModule {
  readonly manifest: DomainManifest;
  consumer(ports: ConsumerPorts): ConsumerSpec<unknown>;
  events(before: Item | undefined, after: Item | undefined): DomainEvent[];
  /** The JSON Schema of each event's `detail`, by `detail-type`. */
  readonly schemas: Readonly<Record<string, JsonSchema>>;
  /** Its nouns in the CLI (`npm run switchboard`). */
  readonly commands?: CliCommands;
  /** Its part of the sandbox Graph API (Meta's side in local mode and the rehearsal). */
  readonly sandbox?: SandboxFactory;
  /**
   * Its erasure facet, when its items name people (PSIDs, IGSIDs, WhatsApp users): `DELETE /v1/users/{userId}`
   * and Meta's data deletion callback replace each of that person's items by a tombstone, which the write path
   * checks in the one conditional write of every later event. A table with a keys-only index by user ID
   * implements it with `eraseByUserIndex(manifest.table, '<index>')`.
   */
  readonly erase?: EraseUser;
}

/** `SOLUTIONS`, `WHATSAPP_THREADS`: the stem of a domain's environment variable names. */
const envStem = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

/** The environment variables that carry a domain's (or a job queue's) resource names to its functions. */
export const domainEnv = {
  table: (manifest: Pick<DomainManifest, 'name'>) => `${envStem(manifest.name)}_TABLE`,
  queueUrl: (queue: { name: string }) => `${envStem(queue.name)}_QUEUE_URL`,
};
