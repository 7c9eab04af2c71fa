import type { DomainModule } from '../../platform/domain/domain.js';
import type { SandboxPart, SandboxRequest, SandboxWorld } from '../../platform/sandbox/context.js';
import { onboardingEvents } from '../onboarding/events.js';
import { onboardingSandbox } from '../onboarding/sandbox.js';
import { onboardingSchemas } from '../onboarding/schema.js';
import { wabaCommands } from './commands.js';
import { wabasConsumer } from './consumer.js';
import { wabaEvents } from './events.js';
import { wabasManifest } from './manifest.js';
import { SANDBOX_WABAS, wabasSandbox } from './sandbox.js';
import { wabaSchemas } from './schema.js';

/** The WABAs part of the sandbox and their onboarding's (subscriptions, numbers, the credit line). */
const sandbox = (world: SandboxWorld): SandboxPart => {
  const parts = [wabasSandbox(world)];
  parts.push(
    onboardingSandbox(
      world,
      world.get(SANDBOX_WABAS).map((waba) => waba.id),
    ),
  );
  return {
    answer: (request: SandboxRequest) => {
      for (const part of parts) {
        const answer = part.answer(request);
        if (answer !== undefined) return answer;
      }
      return undefined;
    },
  };
};

/** The WABAs domain; a WABA's onboarding (`shared/domains/onboarding/`) lives in its item, so its module is here. */
export const wabas: DomainModule = {
  manifest: wabasManifest,
  consumer: wabasConsumer,
  events: (before, after) => [...wabaEvents(before, after), ...onboardingEvents(before, after)],
  commands: wabaCommands,
  sandbox,
  schemas: { ...wabaSchemas, ...onboardingSchemas },
};
