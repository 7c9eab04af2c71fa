import type { DomainModule } from '../../platform/domain/domain.js';
import type { EventPublisher } from '../../platform/events/ports.js';
import { createStreamHandler } from '../../platform/events/stream-handler.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';

export interface EventsPorts {
  publisher: EventPublisher;
  /** Each domain's table name (the stream records name their table). */
  tableNames: Readonly<Record<string, string>>;
  domains: readonly DomainModule[];
  telemetry: Telemetry;
}

/** The events function: each domain table's change stream → that domain's events → the bus. */
export const composeEvents = (ports: EventsPorts) =>
  createStreamHandler({
    publisher: ports.publisher,
    derive: Object.fromEntries(
      ports.domains.flatMap((domain) => {
        const table = ports.tableNames[domain.manifest.name];
        return table === undefined ? [] : [[table, domain.events]];
      }),
    ),
    telemetry: ports.telemetry,
  });
