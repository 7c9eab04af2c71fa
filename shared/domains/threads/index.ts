import type { DomainModule } from '../../platform/domain/domain.js';
import { eraseByUserIndex } from '../../platform/store/erasure.js';
import { threadCommands } from './commands.js';
import { threadsConsumer } from './consumer.js';
import { threadEvents } from './events.js';
import { threadsManifest } from './manifest.js';
import { threadsSandbox } from './sandbox.js';
import { threadSchemas } from './schema.js';

export const threads: DomainModule = {
  manifest: threadsManifest,
  consumer: threadsConsumer,
  events: threadEvents,
  commands: threadCommands,
  sandbox: threadsSandbox,
  schemas: threadSchemas,
  // A thread names its person by PSID or IGSID: found through the table's byUser index.
  erase: eraseByUserIndex(threadsManifest.table, 'byUser'),
};
