import { BadRequestError, NotFoundError } from '../../kernel/errors.js';
import type { Item } from '../../kernel/registers.js';
import type { ActionGuard } from '../../platform/http/action-guard.js';
import type { RouteHandlers } from '../../platform/http/dispatch.js';
import { pageSize, pathId, pathParameter, queryParameter } from '../../platform/http/request.js';
import { json } from '../../platform/http/response.js';
import { retryStep, revokeCreditLine, skipStep } from './actions.js';
import { isStepName, ONBOARDING_STATES, type OnboardingState, STEPS, type StepName } from './model.js';
import type { OnboardingReads } from './repository.js';
import type { OnboardingDeps } from './steps/context.js';

/** The WABA's read model from its item (the WABAs domain's projection, `onboarding` block included). */
export type ProjectWaba = (item: Item | undefined) => unknown;

const stateOf = (raw: string | undefined): OnboardingState => {
  const state = ONBOARDING_STATES.find((candidate) => candidate === raw);
  if (state === undefined)
    throw new BadRequestError(`state query parameter must be one of ${ONBOARDING_STATES.join(', ')}`);
  return state;
};

const stepOf = (raw: string): StepName => {
  if (!isStepName(raw)) throw new BadRequestError(`step must be one of ${STEPS.join(', ')}`);
  return raw;
};

/** `GET /v1/onboardings?state=pending|failed|complete`: the WABAs whose onboarding is in that state, paged. */
export const onboardingReadRoutes = (store: OnboardingReads, project: ProjectWaba) =>
  ({
    'onboardings.list': async (event) => {
      const state = stateOf(queryParameter(event, 'state'));
      const page = await store.listByState(state, pageSize(event), queryParameter(event, 'cursor'));
      const items = page.items.map(project).filter((waba) => waba !== undefined);
      return json(200, { items, nextCursor: page.nextCursor });
    },
  }) satisfies RouteHandlers;

const answer = (project: ProjectWaba, wabaId: string, item: Item | undefined) => {
  const waba = project(item);
  if (waba === undefined) throw new NotFoundError(`WABA ${wabaId} is not known`);
  return json(200, waba);
};

/**
 * The operator's onboarding actions, each under the guard (`Idempotency-Key`, one action per WABA at a time) and
 * the WABA's onboarding lease (no job or sweep writes the onboarding meanwhile).
 */
export const onboardingActionRoutes = (deps: OnboardingDeps, guard: ActionGuard, project: ProjectWaba) =>
  ({
    'onboarding.retry': async (event) => {
      const wabaId = pathId(event, 'wabaId');
      const step = stepOf(pathParameter(event, 'step'));
      return guard.perform(event, `waba#${wabaId}`, async () =>
        answer(project, wabaId, await retryStep(deps, wabaId, step)),
      );
    },
    'onboarding.skip': async (event) => {
      const wabaId = pathId(event, 'wabaId');
      const step = stepOf(pathParameter(event, 'step'));
      return guard.perform(event, `waba#${wabaId}`, async () =>
        answer(project, wabaId, await skipStep(deps, wabaId, step)),
      );
    },
    'creditLine.revoke': async (event) => {
      const wabaId = pathId(event, 'wabaId');
      return guard.perform(event, `waba#${wabaId}`, async () =>
        answer(project, wabaId, await revokeCreditLine(deps, wabaId)),
      );
    },
  }) satisfies RouteHandlers;
