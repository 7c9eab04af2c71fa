import type { DomainModule } from '../../platform/domain/domain.js';
import { solutionCommands } from './commands.js';
import { solutionsConsumer } from './consumer.js';
import { solutionEvents } from './events.js';
import { solutionsManifest } from './manifest.js';
import { solutionsSandbox } from './sandbox.js';
import { solutionSchemas } from './schema.js';

export const solutions: DomainModule = {
  manifest: solutionsManifest,
  consumer: solutionsConsumer,
  events: solutionEvents,
  commands: solutionCommands,
  sandbox: solutionsSandbox,
  schemas: solutionSchemas,
};
