import {
  GraphFailure,
  ok,
  requireToken,
  type SandboxPart,
  type SandboxRequest,
  type SandboxWorld,
} from '../../platform/sandbox/context.js';
import { answerCredit, type CreditWorld, fixtureCredit } from './sandbox-credit.js';
import { SANDBOX_ONBOARDING, type SandboxNumber, type SandboxWabaState } from './sandbox-state.js';

/**
 * Onboarding's part of the sandbox Graph API: a customer WABA's subscribed apps, its phone numbers and their
 * registration, its funding, and the Solution Partner's credit line (`sandbox-credit.ts`), with the answers and
 * errors Meta documents (fixtures/public/onboarding). The WABA edges take the customer's business token, the
 * credit line the system user token, as Meta's token rule says.
 */
const number = (id: string, display: string, pin: string | null = null): SandboxNumber => ({
  id,
  display_phone_number: display,
  platform_type: 'NOT_APPLICABLE',
  pin,
  registerCalls: [],
});

/**
 * Each sandbox WABA's onboarding state. Meta's example WABA has Meta's example number; "Social Brew Roasters"
 * has a number whose two-step PIN another partner set (registering it with ours is 133005), "Unannounced
 * Bakery" is already funded by another credit line and "Lucky Shrub" bills in EUR.
 */
const fixtureStates = (wabaIds: string[]): Map<string, SandboxWabaState> => {
  const states = new Map<string, SandboxWabaState>();
  wabaIds.forEach((wabaId, index) => {
    states.set(wabaId, {
      owner:
        wabaId === '102290129340398' ? '6143763655652543' : `61437636556${String(index).padStart(5, '0')}`,
      subscriptions: new Map([['1234567890123456', null]]),
      numbers: [
        wabaId === '102290129340398'
          ? number('106540352242922', '+1 555-555-1234')
          : number(
              `1065403522${String(index).padStart(5, '0')}`,
              `+1 555-010-${String(index).padStart(4, '0')}`,
            ),
      ],
      primaryFundingId: wabaId === '120399918844556' ? '7700000000000001' : null,
      currency: wabaId === '118453277124469' ? 'EUR' : null,
    });
  });
  const brew = states.get('127766554433221')?.numbers[0];
  if (brew !== undefined) brew.pin = '424242';
  return states;
};

const REGISTRATION_WINDOW_MS = 72 * 3_600_000;

const wabaFields = (wabaId: string, state: SandboxWabaState, fields: string) => {
  const wanted = new Set(fields.split(',').map((field) => field.trim()));
  return {
    id: wabaId,
    ...(wanted.has('primary_funding_id') && state.primaryFundingId !== null
      ? { primary_funding_id: state.primaryFundingId }
      : {}),
    ...(wanted.has('owner_business_info') ? { owner_business_info: { id: state.owner } } : {}),
  };
};

/** `POST /<WABA_ID>/subscribed_apps`: subscribes the calling app; without a body any override is removed. */
const subscribe = (world: SandboxWorld, state: SandboxWabaState, request: SandboxRequest) => {
  const uri = request.body.override_callback_uri;
  if (uri !== undefined) {
    if (typeof uri !== 'string' || uri.length > 200 || typeof request.body.verify_token !== 'string')
      throw new GraphFailure(
        400,
        100,
        '(#100) override_callback_uri (at most 200 characters) and verify_token are both required',
      );
    state.subscriptions.set(world.appId, uri);
    // The API reference's answer with an override: the subscription beside success.
    return ok({ success: true, data: [subscription(world.appId, uri)] });
  }
  state.subscriptions.set(world.appId, null);
  return ok({ success: true });
};

const subscription = (appId: string, override: string | null) => ({
  whatsapp_business_api_data: {
    id: appId,
    name: `App ${appId}`,
    link: `https://www.facebook.com/games/?app_id=${appId}`,
  },
  ...(override === null ? {} : { override_callback_uri: override }),
});

const answerWaba = (world: SandboxWorld, states: Map<string, SandboxWabaState>, request: SandboxRequest) => {
  const state = states.get(request.node);
  if (state === undefined) return undefined;
  const { method, edge, query } = request;
  if (edge === undefined && method === 'GET' && query.fields !== undefined) {
    requireToken(request, 'business', 'system');
    return ok(wabaFields(request.node, state, query.fields));
  }
  if (edge === 'subscribed_apps') {
    requireToken(request, 'business');
    if (method === 'GET')
      return ok({ data: [...state.subscriptions].map(([appId, override]) => subscription(appId, override)) });
    if (method === 'POST') return subscribe(world, state, request);
    if (method === 'DELETE') {
      state.subscriptions.delete(world.appId);
      return ok({ success: true });
    }
  }
  if (edge === 'phone_numbers' && method === 'GET') {
    requireToken(request, 'business');
    return ok({
      data: state.numbers.map(({ id, display_phone_number, platform_type }) => ({
        id,
        display_phone_number,
        platform_type,
      })),
    });
  }
  return undefined;
};

/** `POST /<PHONE_NUMBER_ID>/register`: Meta's PIN rule and its limit of 10 calls per number in 72 hours. */
const register = (world: SandboxWorld, phone: SandboxNumber, request: SandboxRequest) => {
  const now = world.now();
  phone.registerCalls = phone.registerCalls.filter((at) => at > now - REGISTRATION_WINDOW_MS);
  if (phone.registerCalls.length >= 10)
    throw new GraphFailure(
      400,
      133016,
      '(#133016) Account register deregister rate limit exceeded',
      undefined,
      'Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time',
    );
  phone.registerCalls.push(now);
  const pin = request.body.pin;
  if (request.body.messaging_product !== 'whatsapp' || typeof pin !== 'string' || !/^\d{6}$/.test(pin))
    throw new GraphFailure(400, 100, '(#100) messaging_product "whatsapp" and a 6-digit pin are required');
  if (phone.pin !== null && phone.pin !== pin)
    throw new GraphFailure(
      400,
      133005,
      '(#133005) Two step verification PIN Mismatch',
      undefined,
      'Two-step verification PIN incorrect.',
    );
  phone.pin = pin;
  phone.platform_type = 'CLOUD_API';
  return ok({ success: true });
};

const answerNumber = (
  world: SandboxWorld,
  states: Map<string, SandboxWabaState>,
  request: SandboxRequest,
) => {
  const phone = [...states.values()]
    .flatMap((state) => state.numbers)
    .find((each) => each.id === request.node);
  if (phone === undefined) return undefined;
  // Only the calls this part answers are its to refuse (a number's `thread_control` is the WhatsApp threads part's).
  if (request.method === 'POST' && request.edge === 'register') {
    requireToken(request, 'business');
    return register(world, phone, request);
  }
  if (request.method === 'GET' && request.edge === undefined) {
    requireToken(request, 'business');
    return ok({
      id: phone.id,
      platform_type: phone.platform_type,
      display_phone_number: phone.display_phone_number,
    });
  }
  return undefined;
};

/** Onboarding's part of the sandbox, over the customer WABAs the WABAs part serves (their IDs). */
export const onboardingSandbox = (world: SandboxWorld, wabaIds: string[]): SandboxPart => {
  const states = fixtureStates(wabaIds);
  world.provide(SANDBOX_ONBOARDING, states);
  const credit: CreditWorld = fixtureCredit(world.businessId);
  return {
    answer: (request) =>
      answerWaba(world, states, request) ??
      answerNumber(world, states, request) ??
      answerCredit(world, credit, states, request),
  };
};
