import { graphPath } from '../../../platform/graph/client.js';
import { type SubscribedApp, subscribedApps } from '../graph-reads.js';
import type { StepRecord } from '../model.js';
import {
  done,
  failed,
  graphOutcome,
  readMeta,
  type StepContext,
  StepDeferred,
  type StepRun,
  WAITING_FOR_TOKEN,
  waiting,
} from './context.js';

/** Our app's entry in `GET /<WABA_ID>/subscribed_apps` (business token), or undefined when it is not subscribed. */
const ourSubscription = (ctx: StepContext, token: NonNullable<StepContext['businessToken']>) =>
  readMeta(async () => {
    const body = await ctx.deps.graph.request({ path: graphPath(ctx.wabaId, 'subscribed_apps'), token });
    return subscribedApps(body).find((app) => app.appId === ctx.deps.identity.appId);
  });

/** Subscribed as configured: any subscription when no override is wanted (one set by others is left alone). */
const satisfies = (app: SubscribedApp | undefined, wanted: string | null): app is SubscribedApp =>
  app !== undefined && (wanted === null || app.overrideCallbackUri === wanted);

/**
 * Subscribes our app to the customer's WABA (`POST /<WABA_ID>/subscribed_apps`, business token), so its
 * `messages` and per-WABA webhooks reach us. Reads Meta first: a subscription that is already as configured
 * needs no call. With an override, every POST sends the same body (a POST without it removes an override).
 * An unconfirmed POST is settled by reading the list again, never by posting blind.
 */
export const subscriptionStep: StepRun = async (ctx, record): Promise<StepRecord> => {
  const now = ctx.now();
  const token = ctx.businessToken;
  if (token === undefined) return waiting(record, now, WAITING_FOR_TOKEN);
  const wanted = ctx.deps.settings.overrideCallbackUri ?? null;
  const before = await ourSubscription(ctx, token);
  if (!before.ok) return failed(record, now, before.code, before.message);
  if (satisfies(before.value, wanted))
    return done(record, now, { overrideCallbackUri: before.value.overrideCallbackUri });
  let body: Record<string, unknown> | undefined;
  if (wanted !== null) {
    const { verifyToken } = await ctx.deps.metaSecrets.get();
    if (verifyToken === '')
      return failed(
        record,
        now,
        null,
        'META_VERIFY_TOKEN is empty: an override callback needs its verify token',
      );
    body = { override_callback_uri: wanted, verify_token: verifyToken };
  }
  try {
    await ctx.deps.graph.request({
      method: 'POST',
      path: graphPath(ctx.wabaId, 'subscribed_apps'),
      ...(body === undefined ? {} : { body }),
      token,
    });
    return done(record, now, { overrideCallbackUri: wanted });
  } catch (error) {
    const outcome = graphOutcome(error);
    if (outcome.kind === 'refused') return failed(record, now, outcome.code, outcome.message);
    if (outcome.kind === 'deferred') throw new StepDeferred(outcome.message);
    // Unknown: what Meta lists now is what happened.
    const after = await ourSubscription(ctx, token);
    if (after.ok && satisfies(after.value, wanted))
      return done(record, now, { overrideCallbackUri: after.value.overrideCallbackUri });
    throw new StepDeferred(`${outcome.message}; Meta does not list the subscription yet`);
  }
};
