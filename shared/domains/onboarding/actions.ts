import { ConflictError, NotFoundError, SwitchboardError } from '../../kernel/errors.js';
import type { Item } from '../../kernel/registers.js';
import { graphPath } from '../../platform/graph/client.js';
import { requestStatusOf } from './graph-reads.js';
import { newOnboarding, type OnboardingRegister, type StepName, type StepRecord, withStep } from './model.js';
import { graphOutcome, type OnboardingDeps, type OnboardingSubject } from './steps/context.js';
import { type Held, runPendingSteps, saveRegister, underWabaLease } from './workflow.js';

/** Meta did not answer for a step the operator asked for: it stays pending (504, not kept by Idempotency-Key). */
export class OnboardingDeferredError extends SwitchboardError {
  public constructor(deferred: string[]) {
    super(
      504,
      'meta_unavailable',
      `Meta did not answer (${deferred.join('; ')}): the step stays pending; retry again later`,
    );
  }
}

/** The held WABA with an onboarding, or the reason it cannot be acted on (404, 409). */
const onboarded = (
  wabaId: string,
  held: Held,
): { subject: OnboardingSubject; register: OnboardingRegister } => {
  if (held.subject === undefined) throw new NotFoundError(`WABA ${wabaId} is not known`);
  if (held.register === undefined)
    throw new NotFoundError(
      `WABA ${wabaId} has no onboarding (it starts after PARTNER_ADDED or our app's install)`,
    );
  return { subject: held.subject, register: held.register };
};

/** An unknown WABA is a 404 before any lease is taken (one read). */
const requireKnown = async (deps: OnboardingDeps, wabaId: string): Promise<void> => {
  if (deps.subject(await deps.store.read(wabaId)) === undefined)
    throw new NotFoundError(`WABA ${wabaId} is not known`);
};

/** A step set back to pending by an operator: refused numbers may be called again; what Meta keeps stays. */
const reset = (record: StepRecord, now: number): StepRecord => {
  const { unconfirmedAt: _unconfirmed, numbers, ...rest } = record;
  return {
    ...rest,
    state: 'pending',
    at: now,
    code: null,
    message: 'retried by an operator',
    ...(numbers === undefined
      ? {}
      : {
          numbers: Object.fromEntries(
            Object.entries(numbers).map(([id, number]) => [
              id,
              number.state === 'failed' ? { ...number, state: 'pending', code: null, message: null } : number,
            ]),
          ),
        }),
  };
};

/**
 * `POST /v1/wabas/{wabaId}/onboarding/{step}/retry`: the step runs again now (with every other pending step),
 * reading Meta before it acts as always; an active WABA without an onboarding gets one (trigger `operator`).
 * Answers the WABA's item after the run; 504 when Meta did not answer.
 */
export const retryStep = async (
  deps: OnboardingDeps,
  wabaId: string,
  step: StepName,
): Promise<Item | undefined> => {
  await requireKnown(deps, wabaId);
  return underWabaLease(deps, wabaId, 'api', async (held) => {
    if (held.subject === undefined) throw new NotFoundError(`WABA ${wabaId} is not known`);
    const subject = held.subject;
    if (!subject.active) throw new ConflictError(`WABA ${wabaId} is not active: its onboarding cannot run`);
    const now = (deps.now ?? Date.now)();
    // A WABA without an onboarding (known before onboarding existed, or from the baseline sweep) gets one now.
    const register =
      held.register ??
      (await saveRegister(
        deps,
        wabaId,
        newOnboarding(undefined, { event: 'operator', timeMs: now }, now),
        undefined,
      ));
    const saved = await saveRegister(
      deps,
      wabaId,
      withStep(register, step, reset(register.steps[step], now)),
      register,
    );
    const { deferred } = await runPendingSteps(deps, wabaId, subject, saved);
    if (deferred.length > 0) throw new OnboardingDeferredError(deferred);
    return deps.store.read(wabaId);
  });
};

/** `POST /v1/wabas/{wabaId}/onboarding/{step}/skip`: the operator takes the step out (409 once it is done). */
export const skipStep = async (
  deps: OnboardingDeps,
  wabaId: string,
  step: StepName,
): Promise<Item | undefined> => {
  await requireKnown(deps, wabaId);
  return underWabaLease(deps, wabaId, 'api', async (held) => {
    const { register } = onboarded(wabaId, held);
    const record = register.steps[step];
    if (record.state === 'done') throw new ConflictError(`step ${step} is done: there is nothing to skip`);
    if (record.state === 'skipped') return held.item;
    const now = (deps.now ?? Date.now)();
    const { unconfirmedAt: _unconfirmed, ...rest } = record;
    const skipped: StepRecord = {
      ...rest,
      state: 'skipped',
      at: now,
      code: null,
      message: 'skipped by an operator',
    };
    await saveRegister(deps, wabaId, withStep(register, step, skipped), register);
    return deps.store.read(wabaId);
  });
};

/** Whether Meta says the allocation was revoked (`request_status` `DELETED`): how an unconfirmed DELETE is settled. */
const revoked = async (deps: OnboardingDeps, allocation: string): Promise<boolean> => {
  try {
    const body = await deps.graph.request({
      path: graphPath(allocation),
      query: { fields: 'receiving_business,request_status' },
    });
    return requestStatusOf(body) === 'DELETED';
  } catch {
    return false;
  }
};

/**
 * `POST /v1/wabas/{wabaId}/credit-line/revoke`: the explicit, never automatic, revocation of the credit line this
 * WABA's onboarding shared (`DELETE /<ALLOCATION_CONFIG_ID>`, system user token). Meta revokes the allocation for
 * every WABA of the customer business shared with us. 409 when no allocation is recorded; Meta's refusal is a
 * 502 and changes nothing; a DELETE Meta did not confirm is settled by reading the allocation's `request_status`.
 */
export const revokeCreditLine = async (deps: OnboardingDeps, wabaId: string): Promise<Item | undefined> => {
  await requireKnown(deps, wabaId);
  return underWabaLease(deps, wabaId, 'api', async (held) => {
    const { subject, register } = onboarded(wabaId, held);
    const record = register.steps.creditLine;
    const allocation = record.allocationConfigId;
    if (allocation === undefined)
      throw new ConflictError(`no credit line allocation is recorded for WABA ${wabaId}: nothing to revoke`);
    if (record.revokedAt !== undefined) return held.item;
    try {
      await deps.graph.request({ method: 'DELETE', path: graphPath(allocation) });
    } catch (error) {
      if (graphOutcome(error).kind !== 'unknown' || !(await revoked(deps, allocation))) throw error;
    }
    const now = (deps.now ?? Date.now)();
    const business = subject.ownerBusinessId ?? 'unknown';
    const message = `credit line revoked by an operator (allocation ${allocation}; Meta revokes it for every WABA of business ${business} shared with us)`;
    const next: StepRecord = { ...record, state: 'skipped', at: now, code: null, message, revokedAt: now };
    await saveRegister(deps, wabaId, withStep(register, 'creditLine', next), register);
    return deps.store.read(wabaId);
  });
};
