import { graphPath } from '../../../platform/graph/client.js';
import { type PhoneNumber, phoneNumbersOf, platformTypeOf } from '../graph-reads.js';
import type { NumberRecord, StepRecord } from '../model.js';
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

/** Meta's limit: 10 register (and 10 deregister) calls per number in 72 hours, then the number is blocked 72 h. */
export const REGISTRATION_LIMIT = 10;
export const REGISTRATION_WINDOW_MS = 72 * 3_600_000;
const REGISTERED = 'CLOUD_API';
const RATE_LIMITED = 133016;

const numbersOf = (ctx: StepContext, token: Token) =>
  readMeta(async () =>
    phoneNumbersOf(
      await ctx.deps.graph.request({
        path: graphPath(ctx.wabaId, 'phone_numbers'),
        query: { fields: 'id,display_phone_number,platform_type' },
        token,
      }),
    ),
  );

const registered = (ctx: StepContext, token: Token, phoneNumberId: string) =>
  readMeta(async () =>
    platformTypeOf(
      await ctx.deps.graph.request({
        path: graphPath(phoneNumberId),
        query: { fields: 'platform_type' },
        token,
      }),
    ),
  );

const numberAs = (previous: NumberRecord | undefined, fields: Partial<NumberRecord>): NumberRecord => ({
  state: 'pending',
  code: null,
  message: null,
  attempts: previous?.attempts ?? [],
  ...fields,
});

/** One number: already registered, refused before (kept until an operator retries), limited, or registered now. */
const registerNumber = async (
  ctx: StepContext,
  token: Token,
  pin: string,
  number: PhoneNumber,
  previous: NumberRecord | undefined,
  save: (record: NumberRecord) => Promise<void>,
): Promise<NumberRecord> => {
  const now = ctx.now();
  if (number.platformType === REGISTERED) return numberAs(previous, { state: 'done' });
  if (previous?.state === 'failed') return previous;
  const attempts = (previous?.attempts ?? []).filter((at) => at > now - REGISTRATION_WINDOW_MS);
  if (attempts.length >= REGISTRATION_LIMIT) {
    const next = new Date(Math.min(...attempts) + REGISTRATION_WINDOW_MS).toISOString();
    const message = `${REGISTRATION_LIMIT} register calls in 72 hours (Meta's limit): not called again before ${next}`;
    return numberAs(previous, { state: 'failed', code: RATE_LIMITED, message, attempts });
  }
  // The attempt counts before it is sent: a crash mid-call still counts toward Meta's limit.
  const counted = numberAs(previous, { attempts: [...attempts, now] });
  await save(counted);
  try {
    await ctx.deps.graph.request({
      method: 'POST',
      path: graphPath(number.id, 'register'),
      body: { messaging_product: 'whatsapp', pin },
      token,
    });
    return { ...counted, state: 'done' };
  } catch (error) {
    const outcome = graphOutcome(error);
    if (outcome.kind === 'refused')
      return { ...counted, state: 'failed', code: outcome.code, message: outcome.message };
    if (outcome.kind === 'deferred') throw new StepDeferred(outcome.message);
    // Unknown: the number's platform says whether it was registered; another call would count again.
    const after = await registered(ctx, token, number.id);
    if (after.ok && after.value === REGISTERED) return { ...counted, state: 'done' };
    const message = `Meta did not confirm the registration (${outcome.message}): retry the step to call again`;
    return { ...counted, state: 'failed', code: null, message };
  }
};

const summary = (numbers: Record<string, NumberRecord>): Pick<StepRecord, 'state' | 'code' | 'message'> => {
  const entries = Object.entries(numbers);
  const refused = entries.find(([, record]) => record.state === 'failed');
  if (refused !== undefined)
    return {
      state: 'failed',
      code: refused[1].code,
      message: `number ${refused[0]}: ${refused[1].message ?? ''}`,
    };
  if (entries.some(([, record]) => record.state === 'pending'))
    return { state: 'pending', code: null, message: null };
  return { state: 'done', code: null, message: null };
};

/**
 * Registers each of the WABA's phone numbers on the Cloud API (`POST /<PHONE_NUMBER_ID>/register`, business
 * token) with the PIN from the Meta secret, only when `PHONE_REGISTRATION_ENABLED`. A number Meta lists as
 * registered costs no call; each call is counted against Meta's 10 per 72 hours before it is sent; a refusal
 * (133005 PIN mismatch, 133016 the limit, ...) stops that number until an operator retries; an unconfirmed call is
 * settled by reading the number's `platform_type`.
 */
export const phoneRegistrationStep: StepRun = async (ctx, record): Promise<StepRecord> => {
  const now = ctx.now();
  if (!ctx.deps.settings.phoneRegistration)
    return skipped(record, now, 'phone number registration is off (PHONE_REGISTRATION_ENABLED)');
  const token = ctx.businessToken;
  if (token === undefined) return waiting(record, now, WAITING_FOR_TOKEN);
  const pin = (await ctx.deps.metaSecrets.get()).registrationPin ?? '';
  if (!/^\d{6}$/.test(pin))
    return failed(
      record,
      now,
      null,
      'META_REGISTRATION_PIN in the Meta secret must be the 6-digit two-step verification PIN',
    );
  const listed = await numbersOf(ctx, token);
  if (!listed.ok) return failed(record, now, listed.code, listed.message);
  if (listed.value.length === 0) return waiting(record, now, 'the WABA has no phone number yet');
  const numbers: Record<string, NumberRecord> = { ...record.numbers };
  for (const number of listed.value) {
    const save = (next: NumberRecord) => ctx.save({ ...record, numbers: { ...numbers, [number.id]: next } });
    numbers[number.id] = await registerNumber(ctx, token, pin, number, numbers[number.id], save);
  }
  const { state, code, message } = summary(numbers);
  const next =
    state === 'done'
      ? done(record, now)
      : state === 'pending'
        ? waiting(record, now, message ?? '')
        : failed(record, now, code, message ?? '');
  return { ...next, numbers };
};
