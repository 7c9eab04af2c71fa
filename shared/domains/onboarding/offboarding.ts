import type { TokenDeletion } from './model.js';
import type { OnboardingDeps } from './steps/context.js';
import { scheduleTokenDeletion } from './token-deletion.js';
import { type Holder, saveRegister, underWabaLease } from './workflow.js';

/** A deactivating event of the WABA: `PARTNER_REMOVED`, `ACCOUNT_OFFBOARDED`, `ACCOUNT_DELETED`, our app's uninstall. */
export interface OffboardingTrigger {
  wabaId: string;
  event: string;
  timeMs: number;
}

/**
 * After the WABA stopped being ours: the onboarding is marked ended (a newer add or install begins a new one), and
 * the business token's secret is scheduled for deletion after `BUSINESS_TOKEN_GRACE_DAYS`, unless another WABA of
 * the business still uses it. Nothing happens if the WABA is active again (a newer event restored it). The credit
 * line is never revoked here: that is an operator's explicit action.
 */
export const offboard = (
  deps: OnboardingDeps,
  trigger: OffboardingTrigger,
  holder: Holder = 'job:offboard',
): Promise<TokenDeletion | undefined> =>
  underWabaLease(deps, trigger.wabaId, holder, async ({ subject, register }) => {
    if (subject === undefined || subject.active) return undefined;
    if (register?.offboardedAt !== undefined && register.offboardedAt >= trigger.timeMs)
      return register.tokenDeletion;
    const businessId = subject.ownerBusinessId;
    const secretName = subject.businessTokenSecret;
    let tokenDeletion: TokenDeletion | undefined;
    if (businessId !== null && secretName !== null) {
      const outcome = await scheduleTokenDeletion(deps, {
        businessId,
        secretName,
        reason: trigger.event,
        wabaId: trigger.wabaId,
      });
      const at = (deps.now ?? Date.now)();
      tokenDeletion =
        outcome.state === 'scheduled'
          ? { state: 'scheduled', secretName, deleteAfter: outcome.deleteAfter, reason: trigger.event, at }
          : { state: 'kept', secretName, deleteAfter: null, reason: outcome.reason, at };
      deps.telemetry.logger.info('business token after offboarding', {
        wabaId: trigger.wabaId,
        businessId,
        state: tokenDeletion.state,
      });
    }
    if (register !== undefined) {
      const { tokenDeletion: _previous, ...rest } = register;
      await saveRegister(
        deps,
        trigger.wabaId,
        { ...rest, offboardedAt: trigger.timeMs, ...(tokenDeletion === undefined ? {} : { tokenDeletion }) },
        register,
      );
    }
    return tokenDeletion;
  });
