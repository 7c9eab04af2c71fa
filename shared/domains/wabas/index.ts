import type { DomainModule } from '../../platform/domain/domain.js';
import { wabaCommands } from './commands.js';
import { wabasConsumer } from './consumer.js';
import { wabaEvents } from './events.js';
import { wabasManifest } from './manifest.js';
import { wabasSandbox } from './sandbox.js';
import { wabaSchemas } from './schema.js';

export const wabas: DomainModule = {
  manifest: wabasManifest,
  consumer: wabasConsumer,
  events: wabaEvents,
  commands: wabaCommands,
  sandbox: wabasSandbox,
  schemas: wabaSchemas,
};
