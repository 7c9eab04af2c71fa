import { type EventUserIds, readEventUserIds, readRetention } from '../shared/app/privacy/settings.js';
import type { Retention } from '../shared/kernel/retention.js';
import { type Env, EnvReader } from '../shared/platform/config/env.js';
import type { DomainModule } from '../shared/platform/domain/domain.js';
import type { EventPublisher } from '../shared/platform/events/ports.js';
import { DynamoErasureStore } from '../shared/platform/store/dynamo-erasure.js';
import type { LocalDynamo } from './dynalite.js';

/** Local mode's personal-data settings: the same variables the stack gives its functions (defaults if unset). */
export interface LocalPrivacy {
  retention: Retention;
  eventUserIds: EventUserIds;
  eventUserIdKey: string;
  now: () => number;
}

export const localPrivacy = (env: Env, now: () => number): LocalPrivacy => {
  const reader = new EnvReader(env);
  const retention = readRetention(reader);
  const eventUserIds = readEventUserIds(reader);
  const eventUserIdKey = reader.withDefault(LOCAL_EVENT_USER_ID_KEY, 'switchboard-dev-event-user-id-key');
  return reader.done({ retention, eventUserIds, eventUserIdKey, now });
};

/** Local mode's key of hashed user IDs in events (AWS: a secret the stack generates). */
export const LOCAL_EVENT_USER_ID_KEY = 'EVENT_USER_ID_KEY';

/** The privacy function's local ports: each table's erasure side on dynalite, the local bus, the retention. */
export const privacyPorts = (
  dynamo: Pick<LocalDynamo, 'client' | 'tableNames'>,
  modules: readonly DomainModule[],
  events: EventPublisher,
  privacy: LocalPrivacy,
) => ({
  modules,
  store: (domain: DomainModule['manifest']) =>
    new DynamoErasureStore(dynamo.client, dynamo.tableNames[domain.name] ?? '', domain.table),
  events,
  retention: privacy.retention,
});
