import { DeleteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EXAMPLE, FIXTURES } from '../../fixtures/deliveries.js';
import type { LocalStack } from '../../local/stack.js';
import { clearTables, deliver, readJson, sample } from '../support/corpus.js';
import type { FakeGraph, FakeReply, RecordedRequest } from '../support/fake-graph.js';

/** The Solution Partner's credit line of Meta's credit-line samples, and Meta's example phone number. */
export const LINE = '1972385232742146';
export const PHONE = '106540352242922';
export const WABA = EXAMPLE.wabaId;
export const SOLUTION = EXAMPLE.solutionId;
export const CUSTOMER = EXAMPLE.customerBusinessId;

/** Local mode with every onboarding step on: business tokens, the credit line, registration (PIN in the env). */
export const ONBOARDING_ENV = {
  BUSINESS_TOKENS_ENABLED: 'true',
  META_CREDIT_LINE_ID: LINE,
  META_CREDIT_CURRENCY: 'USD',
  PHONE_REGISTRATION_ENABLED: 'true',
  META_REGISTRATION_PIN: '123456',
};

/** The business token of Meta's access_token sample. */
export const BUSINESS_TOKEN = String(
  (sample('onboarding/solution-access-token-data').expect as { accessToken: string }).accessToken,
);

export const body = (file: string): FakeReply => ({ body: sample(`onboarding/${file}`).body });
export const status = (file: string): FakeReply => {
  const each = sample(`onboarding/${file}`);
  const code = each.expect.httpStatus;
  return { status: typeof code === 'number' ? code : 400, body: each.body };
};

/** `GET /<WABA_ID>?fields=...`: the WABA's funding (none unless given). */
export const wabaFields =
  (funding: string | null = null) =>
  (request: RecordedRequest): FakeReply => ({
    body: {
      id: WABA,
      ...(request.query.fields?.includes('primary_funding_id') && funding !== null
        ? { primary_funding_id: funding }
        : {}),
    },
  });

/** Every call of a whole onboarding answered as Meta documents success (each reply a published sample). */
export const scriptSuccess = (graph: FakeGraph): void => {
  graph.on(`GET /${SOLUTION}/access_token`, body('solution-access-token-data'));
  graph.on(`GET /${WABA}/subscribed_apps`, body('subscribed-apps-get-empty'));
  graph.on(`POST /${WABA}/subscribed_apps`, body('subscribed-apps-post-success'));
  graph.on(`GET /${WABA}`, wabaFields());
  graph.on(`POST /${LINE}/whatsapp_credit_sharing_and_attach`, body('credit-sharing-and-attach'));
  graph.on(`GET /${WABA}/phone_numbers`, {
    body: { data: [{ id: PHONE, display_phone_number: '+1 555-555-1234', platform_type: 'NOT_APPLICABLE' }] },
  });
  graph.on(`POST /${PHONE}/register`, body('register-success'));
};

/** An empty store: the domain tables, the control table (token and onboarding records) and the secrets. */
export const clearAll = async (stack: LocalStack): Promise<void> => {
  await clearTables(stack);
  const { client, tableNames } = stack.dynamo;
  const TableName = tableNames.control;
  const { Items = [] } = await client.send(new ScanCommand({ TableName }));
  for (const item of Items)
    await client.send(new DeleteItemCommand({ TableName, Key: { pk: item.pk } as never }));
  stack.secretStore.secrets.clear();
  stack.secretStore.deletions.clear();
};

/** A PARTNER_ADDED of the reference (WABA, customer, solution), later by `laterBy` seconds, delivered and run. */
export const partnerAdded = async (stack: LocalStack, laterBy = 0, wabaId: string = WABA) => {
  const delivery = structuredClone(FIXTURES['partner-added']?.body) as {
    entry: { time: number; changes: { value: { waba_info: { waba_id: string } } }[] }[];
  };
  const entry = delivery.entry[0];
  if (entry !== undefined) {
    entry.time += laterBy;
    const change = entry.changes[0];
    if (change !== undefined) change.value.waba_info.waba_id = wabaId;
  }
  return deliver(stack, delivery);
};

export const wabaOf = async (stack: LocalStack, wabaId: string = WABA) =>
  (await readJson(stack, `/v1/wabas/${wabaId}`)).body;

export type StepView = { state: string; code: number | null; message: string | null } & Record<
  string,
  unknown
>;

export const stepsOf = async (
  stack: LocalStack,
  wabaId: string = WABA,
): Promise<Record<string, StepView>> => {
  const onboarding = (await wabaOf(stack, wabaId)).onboarding as { steps: Record<string, StepView> } | null;
  return onboarding?.steps ?? {};
};

export const post = (stack: LocalStack, path: string, headers: Record<string, string> = {}) =>
  readJson(stack, path, { method: 'POST', headers });
