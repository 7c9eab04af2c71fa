import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { samples } from '../support/corpus.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { useLocalStackWithGraph } from '../support/local-stack.js';
import {
  BUSINESS_TOKEN,
  body,
  clearAll,
  LINE,
  ONBOARDING_ENV,
  PHONE,
  partnerAdded,
  post,
  SOLUTION,
  scriptSuccess,
  status,
  stepsOf,
  WABA,
  wabaFields,
} from './harness.js';

/**
 * The onboarding steps against Meta's published answers and errors (fixtures/public/onboarding), served by a
 * Graph stand-in to local mode: what each step records, which token each call carries, and that no write Meta
 * may have applied is ever sent twice without reading Meta first.
 */
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph, ONBOARDING_ENV);
const SYSTEM = 'Bearer stand-in-system-user-token';
const BUSINESS = `Bearer ${BUSINESS_TOKEN}`;

beforeEach(async () => {
  await clearAll(local.stack);
  scriptSuccess(graph);
});

const calls = (route: string) => graph.calls(route).length;

describe('a PARTNER_ADDED through our solution', () => {
  it('runs every step: token, subscription, credit line (allocation kept), registration, each with its token', async () => {
    // Act
    await partnerAdded(local.stack);

    // Assess
    const steps = await stepsOf(local.stack);
    expect(Object.fromEntries(Object.entries(steps).map(([step, view]) => [step, view.state]))).toEqual({
      businessToken: 'done',
      subscription: 'done',
      creditLine: 'done',
      phoneRegistration: 'done',
    });
    expect(steps.creditLine?.allocationConfigId).toBe('58501441721238');
    const auth = (route: string) => graph.calls(route)[0]?.authorization;
    expect(auth(`GET /${SOLUTION}/access_token`)).toBe(SYSTEM);
    expect(auth(`POST /${WABA}/subscribed_apps`)).toBe(BUSINESS);
    expect(auth(`POST /${LINE}/whatsapp_credit_sharing_and_attach`)).toBe(SYSTEM);
    expect(graph.calls(`POST /${LINE}/whatsapp_credit_sharing_and_attach`)[0]?.query).toEqual({
      waba_currency: 'USD',
      waba_id: WABA,
    });
    expect(auth(`POST /${PHONE}/register`)).toBe(BUSINESS);
    expect(JSON.parse(graph.calls(`POST /${PHONE}/register`)[0]?.body ?? '{}')).toEqual({
      messaging_product: 'whatsapp',
      pin: '123456',
    });
    // The token is in the secret store only.
    const { client, tableNames } = local.stack.dynamo;
    for (const TableName of Object.values(tableNames))
      expect(JSON.stringify((await client.send(new ScanCommand({ TableName }))).Items)).not.toContain(
        BUSINESS_TOKEN,
      );
  });

  it('reads the token in either answer shape (data list, flat) and tokens refresh then answers 200', async () => {
    graph.on(`GET /${SOLUTION}/access_token`, body('solution-access-token-flat'));
    await partnerAdded(local.stack);
    expect((await stepsOf(local.stack)).businessToken?.state).toBe('done');
    const refreshed = await post(local.stack, '/v1/business-tokens/6143763655652543/refresh');
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
  });
});

describe('subscription', () => {
  it.each(
    samples('onboarding')
      .filter((each) => each.file.includes('subscribed-apps-get-'))
      .map((each) => [each.file, each] as const),
  )('%s: our app not listed, so one POST subscribes it', async (file) => {
    graph.on(`GET /${WABA}/subscribed_apps`, body(file.replace('onboarding/', '').replace('.json', '')));
    await partnerAdded(local.stack);
    expect((await stepsOf(local.stack)).subscription?.state).toBe('done');
    expect(calls(`POST /${WABA}/subscribed_apps`)).toBe(1);
  });

  it('our app already listed: done without a POST; the POST answer with data is read like the plain one', async () => {
    graph.on(`GET /${WABA}/subscribed_apps`, {
      body: { data: [{ whatsapp_business_api_data: { id: local.stack.env.META_APP_ID, name: 'us' } }] },
    });
    await partnerAdded(local.stack);
    expect(calls(`POST /${WABA}/subscribed_apps`)).toBe(0);

    await clearAll(local.stack);
    scriptSuccess(graph);
    graph.on(`POST /${WABA}/subscribed_apps`, body('subscribed-apps-post-override-answer'));
    await partnerAdded(local.stack);
    expect((await stepsOf(local.stack)).subscription?.state).toBe('done');
  });

  it('a POST Meta does not confirm is settled by reading the list again, never sent again blind', async () => {
    graph.on(`POST /${WABA}/subscribed_apps`, { reset: true });
    graph.on(`GET /${WABA}/subscribed_apps`, body('subscribed-apps-get-empty'), {
      body: { data: [{ whatsapp_business_api_data: { id: local.stack.env.META_APP_ID } }] },
    });
    await partnerAdded(local.stack);
    expect((await stepsOf(local.stack)).subscription?.state).toBe('done');
    expect(calls(`POST /${WABA}/subscribed_apps`)).toBe(1);
  });
});

describe('credit line', () => {
  it.each(['credit-sharing-and-attach-error-100', 'credit-sharing-and-attach-error-200'])(
    '%s: the step fails with Meta\u2019s code and message, one POST, and blocks no other step',
    async (file) => {
      graph.on(`POST /${LINE}/whatsapp_credit_sharing_and_attach`, status(file));
      await partnerAdded(local.stack);
      const steps = await stepsOf(local.stack);
      const wanted = (await import('../support/corpus.js')).sample(`onboarding/${file}`).expect;
      expect(steps.creditLine).toMatchObject({ state: 'failed', code: wanted.code });
      expect(steps.creditLine?.message).toMatch(/^\(#\d+\)/);
      expect([steps.subscription?.state, steps.phoneRegistration?.state]).toEqual(['done', 'done']);
      expect(calls(`POST /${LINE}/whatsapp_credit_sharing_and_attach`)).toBe(1);
    },
  );

  it('an unconfirmed share-and-attach is settled by reading the funding and our allocations: done, one POST', async () => {
    // Prepare: the POST dies; Meta then shows the WABA funded, through an allocation its page prints as one object.
    graph.on(`POST /${LINE}/whatsapp_credit_sharing_and_attach`, { reset: true });
    graph.on(`GET /${WABA}`, wabaFields(), wabaFields('4865236023545912'));
    graph.on(`GET /${LINE}/owning_credit_allocation_configs`, body('owning-credit-allocation-configs'));
    graph.on('GET /1972385232742140', {
      body: { receiving_credential: { id: '4865236023545912' }, id: '1' },
    });
    // Act
    await partnerAdded(local.stack);
    // Assess
    expect((await stepsOf(local.stack)).creditLine).toMatchObject({
      state: 'done',
      allocationConfigId: '1972385232742140',
    });
    expect(calls(`POST /${LINE}/whatsapp_credit_sharing_and_attach`)).toBe(1);
    expect(graph.calls(`GET /${LINE}/owning_credit_allocation_configs`)[0]?.query.receiving_business_id).toBe(
      '6143763655652543',
    );
  });

  it('unconfirmed and not funded: failed and never posted again by itself; an operator retry reads, then posts', async () => {
    graph.on(
      `POST /${LINE}/whatsapp_credit_sharing_and_attach`,
      { reset: true },
      body('credit-sharing-and-attach'),
    );
    await partnerAdded(local.stack);
    expect((await stepsOf(local.stack)).creditLine).toMatchObject({
      state: 'failed',
      code: null,
      unconfirmed: true,
    });
    await partnerAdded(local.stack); // a redelivery changes nothing
    expect(calls(`POST /${LINE}/whatsapp_credit_sharing_and_attach`)).toBe(1);

    const retried = await post(local.stack, `/v1/wabas/${WABA}/onboarding/creditLine/retry`);

    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect((await stepsOf(local.stack)).creditLine).toMatchObject({
      state: 'done',
      allocationConfigId: '58501441721238',
    });
    expect(calls(`POST /${LINE}/whatsapp_credit_sharing_and_attach`)).toBe(2);
  });

  it('a WABA already funded by a line none of our allocations names: failed, no POST', async () => {
    graph.on(`GET /${WABA}`, wabaFields('7700000000000001'));
    graph.on(`GET /${LINE}/owning_credit_allocation_configs`, { body: { data: [] } });
    await partnerAdded(local.stack);
    expect((await stepsOf(local.stack)).creditLine?.message).toContain('funded by 7700000000000001');
    expect(calls(`POST /${LINE}/whatsapp_credit_sharing_and_attach`)).toBe(0);
  });
});

describe('phone number registration', () => {
  it.each(
    samples('onboarding')
      .filter((each) => each.file.startsWith('onboarding/register-error-'))
      .map((each) => [each.file, each] as const),
  )(
    '%s: the step fails with the code and details, after one call; the others are done',
    async (file, each) => {
      graph.on(`POST /${PHONE}/register`, status(file.replace('onboarding/', '').replace('.json', '')));
      await partnerAdded(local.stack);
      const steps = await stepsOf(local.stack);
      expect(steps.phoneRegistration).toMatchObject({ state: 'failed', code: each.expect.code });
      expect(steps.phoneRegistration?.message).toContain(String(each.expect.details));
      expect(calls(`POST /${PHONE}/register`)).toBe(1);
      expect(steps.subscription?.state).toBe('done');
    },
  );

  it('counts every call against Meta\u2019s 10 per 72 hours and makes no 11th', async () => {
    graph.on(`POST /${PHONE}/register`, status('register-error-133010'));
    await partnerAdded(local.stack);
    for (let retry = 0; retry < 10; retry++)
      await post(local.stack, `/v1/wabas/${WABA}/onboarding/phoneRegistration/retry`);
    const steps = await stepsOf(local.stack);
    expect(calls(`POST /${PHONE}/register`)).toBe(10);
    expect(steps.phoneRegistration).toMatchObject({ state: 'failed', code: 133016 });
    expect(steps.phoneRegistration?.numbers).toMatchObject({ [PHONE]: { attemptsLast72h: 10 } });
  });

  it('a number Meta lists as registered costs no call', async () => {
    graph.on(`GET /${WABA}/phone_numbers`, { body: { data: [{ id: PHONE, platform_type: 'CLOUD_API' }] } });
    await partnerAdded(local.stack);
    expect((await stepsOf(local.stack)).phoneRegistration?.state).toBe('done');
    expect(calls(`POST /${PHONE}/register`)).toBe(0);
  });
});
