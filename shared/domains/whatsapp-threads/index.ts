import type { DomainModule } from '../../platform/domain/domain.js';
import { eraseByUserIndex } from '../../platform/store/erasure.js';
import { whatsappThreadCommands } from './commands.js';
import { whatsappThreadsConsumer } from './consumer.js';
import { whatsappThreadEvents } from './events.js';
import { BY_USER_INDEX, whatsappThreadsManifest } from './manifest.js';
import { whatsappThreadsSandbox } from './sandbox.js';
import { whatsappThreadSchemas } from './schema.js';

export const whatsappThreads: DomainModule = {
  manifest: whatsappThreadsManifest,
  consumer: whatsappThreadsConsumer,
  events: whatsappThreadEvents,
  commands: whatsappThreadCommands,
  sandbox: whatsappThreadsSandbox,
  schemas: whatsappThreadSchemas,
  erase: eraseByUserIndex(whatsappThreadsManifest.table, BY_USER_INDEX.name),
};
