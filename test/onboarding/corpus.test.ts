import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxGraph } from '../../local/sandbox-graph.js';
import {
  allocationConfigIdOf,
  allocationsOf,
  primaryFundingOf,
  receivingCredentialOf,
  requestStatusOf,
  subscribedApps,
  webhookConfigurationOf,
} from '../../shared/domains/onboarding/graph-reads.js';
import { accessTokenOf } from '../../shared/domains/wabas/business-tokens.js';
import { type Sample, samples } from '../support/corpus.js';

/**
 * Every onboarding Graph sample read by the reader Switchboard uses for it (the `expect` keys of
 * fixtures/public/README.md), and the sandbox Graph API answering each call it models in the shape Meta publishes.
 */
const graphSamples = samples('onboarding').filter((each) => each.kind !== 'webhook');
const OUR_APP = '21202248997039';

const READERS: Record<string, (each: Sample) => void> = {
  accessToken: (each) => expect(accessTokenOf(each.body)).toBe(each.expect.accessToken),
  subscribedAppIds: (each) =>
    expect(subscribedApps(each.body).map((app) => app.appId)).toEqual(each.expect.subscribedAppIds),
  ourAppSubscribed: (each) =>
    expect(subscribedApps(each.body).some((app) => app.appId === OUR_APP)).toBe(each.expect.ourAppSubscribed),
  overrideCallbackUri: (each) =>
    expect(subscribedApps(each.body)[0]?.overrideCallbackUri ?? null).toBe(each.expect.overrideCallbackUri),
  allocationConfigId: (each) =>
    expect(allocationConfigIdOf(each.body) ?? allocationsOf(each.body)[0]?.id ?? null).toBe(
      each.expect.allocationConfigId,
    ),
  receivingCredentialId: (each) =>
    expect(receivingCredentialOf(each.body)).toBe(each.expect.receivingCredentialId),
  primaryFundingId: (each) => expect(primaryFundingOf(each.body)).toBe(each.expect.primaryFundingId),
  requestStatus: (each) => expect(requestStatusOf(each.body)).toBe(each.expect.requestStatus),
  receivingBusinessId: (each) =>
    expect(allocationsOf({ id: '1', ...(each.body as object) })[0]?.receivingBusinessId).toBe(
      each.expect.receivingBusinessId,
    ),
  webhookConfiguration: (each) =>
    expect(webhookConfigurationOf(each.body)).toEqual(each.expect.webhookConfiguration),
};

describe('onboarding samples, read by Switchboard\u2019s readers', () => {
  it.each(graphSamples.map((each) => [each.file, each] as const))('%s', (_file, each) => {
    const keys = Object.keys(each.expect).filter((key) => READERS[key] !== undefined);
    for (const key of keys) READERS[key]?.(each);
    if (each.kind === 'graph-error') expect(each.expect.action).toBe('fail');
  });
});

describe('the sandbox Graph API answers onboarding calls in Meta\u2019s published shapes', () => {
  const SYSTEM = 'sandbox-system-token';
  let sandbox: Awaited<ReturnType<typeof startSandboxGraph>>;
  let business = '';
  beforeAll(async () => {
    sandbox = await startSandboxGraph({
      appId: OUR_APP,
      businessId: '506914307656634',
      systemUserToken: SYSTEM,
      pageToken: 'page',
    });
    const token = await call('GET', '/303610109049230/access_token?business_id=6143763655652543', SYSTEM);
    business = String((token.body as { data: { access_token: string }[] }).data[0]?.access_token);
  });
  afterAll(() => sandbox.close());

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${sandbox.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const sampleOf = (name: string) => graphSamples.find((each) => each.file === `onboarding/${name}.json`);
  const sameKeys = (answer: unknown, name: string) => {
    const published = sampleOf(name)?.body as Record<string, unknown>;
    expect(Object.keys(answer as object).sort(), name).toEqual(
      expect.arrayContaining(Object.keys(published).sort()),
    );
  };

  it('access_token, subscribed_apps (GET, POST both ways, DELETE), share-and-attach, funding, allocation, register', async () => {
    const waba = '102290129340398';
    sameKeys(
      (await call('GET', `/303610109049230/access_token?business_id=1`, SYSTEM)).body,
      'solution-access-token-data',
    );
    sameKeys((await call('GET', `/${waba}/subscribed_apps`, business)).body, 'subscribed-apps-get-multiple');
    sameKeys((await call('POST', `/${waba}/subscribed_apps`, business)).body, 'subscribed-apps-post-success');
    const override = { override_callback_uri: 'https://hooks.example.com/w', verify_token: 'v' };
    sameKeys(
      (await call('POST', `/${waba}/subscribed_apps`, business, override)).body,
      'subscribed-apps-post-override-answer',
    );
    sameKeys(
      (await call('DELETE', `/${waba}/subscribed_apps`, business)).body,
      'subscribed-apps-delete-success',
    );
    const shared = await call(
      'POST',
      `/1972385232742146/whatsapp_credit_sharing_and_attach?waba_currency=USD&waba_id=${waba}`,
      SYSTEM,
    );
    sameKeys(shared.body, 'credit-sharing-and-attach');
    const allocation = String(shared.body.allocation_config_id);
    sameKeys(
      (await call('GET', `/${allocation}?fields=receiving_credential`, SYSTEM)).body,
      'allocation-config-receiving-credential',
    );
    sameKeys(
      (await call('GET', `/${waba}?fields=primary_funding_id`, business)).body,
      'waba-primary-funding-id',
    );
    sameKeys((await call('DELETE', `/${allocation}`, SYSTEM)).body, 'allocation-config-delete-success');
    const status = await call('GET', `/${allocation}?fields=receiving_business,request_status`, SYSTEM);
    sameKeys(status.body, 'allocation-config-deleted-status');
    expect(status.body.request_status).toBe('DELETED');
    sameKeys(
      (
        await call('POST', '/106540352242922/register', business, {
          messaging_product: 'whatsapp',
          pin: '123456',
        })
      ).body,
      'register-success',
    );
  });

  it('refuses as Meta documents: the credit line with the system token only, a currency, a PIN, the limit', async () => {
    const wrongToken = await call(
      'POST',
      '/1972385232742146/whatsapp_credit_sharing_and_attach?waba_currency=USD&waba_id=112077945305052',
      business,
    );
    expect(wrongToken.body.error).toMatchObject({ code: 190 });
    const currency = await call(
      'POST',
      '/1972385232742146/whatsapp_credit_sharing_and_attach?waba_currency=CHF&waba_id=112077945305052',
      SYSTEM,
    );
    expect(currency.body.error).toMatchObject({ code: 100, type: 'OAuthException' });
    const pin = await call('POST', '/106540352200004/register', business, {
      messaging_product: 'whatsapp',
      pin: '123456',
    });
    const published = sampleOf('register-error-133005')?.body as { error: Record<string, unknown> };
    expect(pin.status).toBe(400);
    expect(Object.keys(pin.body.error as object).sort()).toEqual(Object.keys(published.error).sort());
    expect(pin.body.error).toMatchObject({ code: 133005, error_data: published.error.error_data });
    let limited: Record<string, unknown> = {};
    for (let call_ = 0; call_ < 10; call_++)
      limited = (
        await call('POST', '/106540352200004/register', business, {
          messaging_product: 'whatsapp',
          pin: '999999',
        })
      ).body;
    expect(limited.error).toMatchObject({ code: 133016 });
  });
});
