import { SwitchboardError } from '../../../kernel/errors.js';
import { graphPath } from '../../../platform/graph/client.js';
import { ownerBusinessOf } from '../graph-reads.js';
import type { StepRecord } from '../model.js';
import { BusinessBusyError, cancelTokenDeletion, recordTokenUse } from '../token-deletion.js';
import {
  done,
  failed,
  graphOutcome,
  readMeta,
  type StepContext,
  StepDeferred,
  type StepRun,
} from './context.js';

/**
 * The customer's business portfolio: as the webhook named it, else as Meta says (a WABA reconciliation found
 * carries none): `GET /<WABA_ID>?fields=owner_business_info` with the system user token.
 */
const ownerOf = async (ctx: StepContext): Promise<string | null> => {
  if (ctx.waba.ownerBusinessId !== null) return ctx.waba.ownerBusinessId;
  const read = await readMeta(async () =>
    ownerBusinessOf(
      await ctx.deps.graph.request({ path: graphPath(ctx.wabaId), query: { fields: 'owner_business_info' } }),
    ),
  );
  return read.ok ? read.value : null;
};

/** Another job holds the business's token lease: this one is retried (the WABAs domain's own error). */
const isBusy = (error: unknown): boolean =>
  error instanceof Error && error.name === 'TokenFetchInProgressError';

/**
 * The customer's business token, as the WABAs domain fetches it (`GET /<SOLUTION_ID>/access_token`, once per
 * business and solution) into its secret. A deletion scheduled by an earlier offboarding is undone first (or, if
 * its recovery window has passed, the token is fetched again). Meta's refusal, or an answer without a token,
 * fails the step with what Meta said; the steps that need the token wait for it.
 */
export const businessTokenStep: StepRun = async (ctx, record): Promise<StepRecord> => {
  const now = ctx.now();
  const { solutionId } = ctx.waba;
  const ownerBusinessId = solutionId === null ? null : await ownerOf(ctx);
  if (solutionId === null || ownerBusinessId === null) {
    return failed(
      record,
      now,
      null,
      'no solution or owner business is known for this WABA: GET /<SOLUTION_ID>/access_token needs both (an App-Only Install without a solution hands the token over in its own code exchange)',
    );
  }
  try {
    const restored = await cancelTokenDeletion(
      ctx.deps,
      ownerBusinessId,
      `a newer onboarding of WABA ${ctx.wabaId}`,
    );
    if (restored === 'gone') await ctx.deps.businessTokens.refetch(ownerBusinessId);
    const secretName = await ctx.deps.businessTokens.fetch({
      wabaId: ctx.wabaId,
      solutionId,
      businessId: ownerBusinessId,
    });
    if ((await ctx.deps.secrets.get(secretName)) === undefined) {
      // Recorded as stored, but the secret is gone (deleted out of band): fetched again.
      await ctx.deps.businessTokens.refetch(ownerBusinessId);
    }
    await recordTokenUse(ctx.deps, ownerBusinessId, ctx.wabaId);
    return done(record, now);
  } catch (error) {
    if (isBusy(error) || error instanceof BusinessBusyError) throw new StepDeferred((error as Error).message);
    if (error instanceof SwitchboardError && error.code === 'business_token_missing')
      return failed(record, now, null, error.message);
    const outcome = graphOutcome(error);
    if (outcome.kind === 'refused') return failed(record, now, outcome.code, outcome.message);
    throw new StepDeferred(outcome.message);
  }
};
