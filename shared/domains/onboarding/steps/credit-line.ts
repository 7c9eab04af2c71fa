import { graphPath } from '../../../platform/graph/client.js';
import {
  allocationConfigIdOf,
  allocationsOf,
  primaryFundingOf,
  receivingCredentialOf,
} from '../graph-reads.js';
import type { StepRecord } from '../model.js';
import {
  done,
  failed,
  graphOutcome,
  readMeta,
  type StepContext,
  StepDeferred,
  type StepRun,
  skipped,
  WAITING_FOR_TOKEN,
  waiting,
} from './context.js';

type Token = NonNullable<StepContext['businessToken']>;
type Read<T> = { ok: true; value: T } | { ok: false; code: number | null; message: string };

/** `GET /<WABA_ID>?fields=primary_funding_id` with the customer's business token. */
const fundingOf = (ctx: StepContext, token: Token) =>
  readMeta(async () =>
    primaryFundingOf(
      await ctx.deps.graph.request({
        path: graphPath(ctx.wabaId),
        query: { fields: 'primary_funding_id' },
        token,
      }),
    ),
  );

/** `GET /<ALLOCATION_CONFIG_ID>?fields=receiving_credential` with the system user token. */
const credentialOf = (ctx: StepContext, allocationConfigId: string) =>
  readMeta(async () =>
    receivingCredentialOf(
      await ctx.deps.graph.request({
        path: graphPath(allocationConfigId),
        query: { fields: 'receiving_credential' },
      }),
    ),
  );

/**
 * Our allocation that funds the WABA, if any: among our credit line's allocations to the customer's business
 * (`owning_credit_allocation_configs`), the one whose receiving credential is the WABA's primary funding.
 */
const ourAllocationFunding = async (
  ctx: StepContext,
  lineId: string,
  funding: string,
): Promise<Read<string | undefined>> => {
  const business = ctx.waba.ownerBusinessId;
  if (business === null) return { ok: true, value: undefined };
  const listed = await readMeta(async () =>
    allocationsOf(
      await ctx.deps.graph.request({
        path: graphPath(lineId, 'owning_credit_allocation_configs'),
        query: { receiving_business_id: business, fields: 'id,receiving_business,receiving_credential' },
      }),
    ),
  );
  if (!listed.ok) return listed;
  for (const allocation of listed.value) {
    let credential = allocation.receivingCredentialId;
    if (credential === null) {
      const read = await credentialOf(ctx, allocation.id);
      credential = read.ok ? read.value : null;
    }
    if (credential === funding) return { ok: true, value: allocation.id };
  }
  return { ok: true, value: undefined };
};

/** Why the line is not ours to share here: none configured, or we are not a partner of the WABA's solution. */
const notApplicable = (ctx: StepContext): string | undefined => {
  if (ctx.deps.settings.creditLine === undefined)
    return 'no credit line is configured (META_CREDIT_LINE_ID and META_CREDIT_CURRENCY)';
  if (!ctx.waba.partnerBusinessIds.includes(ctx.deps.identity.businessId))
    return 'our business is not among the solution\u2019s partners: its Solution Partner shares the credit line';
  return undefined;
};

/** A recorded allocation: done when it funds the WABA, failed when nothing or something else does. */
const verifyRecorded = async (
  ctx: StepContext,
  record: StepRecord,
  allocation: string,
  funding: string | null,
): Promise<StepRecord> => {
  const now = ctx.now();
  const credential = await credentialOf(ctx, allocation);
  if (!credential.ok) return failed(record, now, credential.code, credential.message);
  if (funding !== null && credential.value === funding)
    return done(record, now, { allocationConfigId: allocation });
  const what = funding === null ? 'the WABA shows no primary funding' : `the WABA is funded by ${funding}`;
  return failed(
    record,
    now,
    null,
    `allocation ${allocation} (receiving credential ${credential.value ?? '-'}) does not fund the WABA: ${what}`,
  );
};

const UNCONFIRMED =
  'Meta did not confirm whatsapp_credit_sharing_and_attach; check Business Suite, then retry the step (it reads Meta again before sending)';

/**
 * Shares the Solution Partner's credit line with the customer's WABA (`POST /<CREDIT_LINE_ID>/
 * whatsapp_credit_sharing_and_attach`, system user token) and keeps the allocation config ID. Attaching cannot be
 * undone and Meta documents no answer for a repeat, so Meta is read before any POST: the WABA's
 * `primary_funding_id` against our allocations' `receiving_credential`. A POST Meta did not confirm is recorded,
 * settled the same way and never sent again by Switchboard: only an operator's retry may, after checking.
 */
export const creditLineStep: StepRun = async (ctx, record): Promise<StepRecord> => {
  const now = ctx.now();
  const reason = notApplicable(ctx);
  const line = ctx.deps.settings.creditLine;
  if (reason !== undefined || line === undefined) return skipped(record, now, reason ?? 'not applicable');
  const token = ctx.businessToken;
  if (token === undefined) return waiting(record, now, WAITING_FOR_TOKEN);
  // A POST Meta did not confirm stays marked whatever ends the step, so that nothing posts again unread.
  const unconfirmed = record.unconfirmedAt === undefined ? {} : { unconfirmedAt: record.unconfirmedAt };
  const funding = await fundingOf(ctx, token);
  if (!funding.ok) return failed(record, now, funding.code, funding.message, unconfirmed);
  if (record.allocationConfigId !== undefined)
    return verifyRecorded(ctx, record, record.allocationConfigId, funding.value);
  if (funding.value !== null) {
    const ours = await ourAllocationFunding(ctx, line.id, funding.value);
    if (!ours.ok) return failed(record, now, ours.code, ours.message, unconfirmed);
    if (ours.value !== undefined) return done(record, now, { allocationConfigId: ours.value });
    const attachedElsewhere = `the WABA is funded by ${funding.value}, which none of our credit line\u2019s allocations to the business names; a credit line cannot be swapped once attached`;
    return failed(record, now, null, attachedElsewhere, unconfirmed);
  }
  if (record.unconfirmedAt !== undefined)
    return failed(record, now, null, `${UNCONFIRMED}: the WABA shows no funding`, unconfirmed);
  return shareAndAttach(ctx, record, line);
};

const shareAndAttach = async (
  ctx: StepContext,
  record: StepRecord,
  line: { id: string; currency: string },
): Promise<StepRecord> => {
  const now = ctx.now();
  try {
    const answer = await ctx.deps.graph.request({
      method: 'POST',
      path: graphPath(line.id, 'whatsapp_credit_sharing_and_attach'),
      query: { waba_currency: line.currency, waba_id: ctx.wabaId },
    });
    const allocation = allocationConfigIdOf(answer);
    if (allocation !== null) return done(record, now, { allocationConfigId: allocation });
    // A 200 without the ID: Meta acted, but the answer cannot say how. Settled like an unknown outcome.
  } catch (error) {
    const outcome = graphOutcome(error);
    if (outcome.kind === 'refused') return failed(record, now, outcome.code, outcome.message);
    if (outcome.kind === 'deferred') throw new StepDeferred(outcome.message);
  }
  // Meta may have attached the line: recorded before anything else, then settled by reading.
  const unconfirmed = waiting(record, now, UNCONFIRMED);
  unconfirmed.unconfirmedAt = now;
  await ctx.save(unconfirmed);
  return creditLineStep(ctx, unconfirmed);
};
