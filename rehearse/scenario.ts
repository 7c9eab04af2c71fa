import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { EXAMPLE, FIXTURES } from '../fixtures/deliveries.js';
import { ROUTING_EXAMPLE } from '../fixtures/whatsapp-routing.js';
import { ACCOUNT, type Deployment, META_SECRET, PAGE_TOKEN, REGION } from './deployment.js';
import { type Check, type Driver, driver } from './driver.js';
import { replay } from './replay.js';
import { eventSchemaErrors } from './schemas.js';
import { scheduledFunctionsOf, streamSourcesOf } from './template.js';

export type { Check } from './driver.js';

/**
 * A fresh deployment: the scheduled sweep runs before the secrets are set and reports "not configured" (no
 * failure, no alarm); then steps 3 and 4 of the Deploy guide, with the rehearsal's own credentials.
 */
const configure = async ({ check, deployment }: Driver) => {
  const { template, containers, aws, secretArns } = deployment;
  for (const { fnId, loop } of scheduledFunctionsOf(template).filter((scheduled) => scheduled.loop)) {
    const event = loop ? { sweepOwner: `arn:aws:states:${REGION}:${ACCOUNT}:execution:sweep:first` } : {};
    const answer = await containers.get(fnId)?.invoke<Record<string, unknown>>(event);
    const logs = containers.get(fnId)?.logs.join('\n') ?? '';
    check(
      `before the Meta secret is set, the scheduled sweep of ${fnId} reports "not configured" (WARN and ReconcileNotConfigured) and succeeds`,
      answer?.skipped === true &&
        String(answer.reason).startsWith('not configured') &&
        /"level":"WARN".*reconciliation not configured/.test(logs) &&
        logs.includes('"ReconcileNotConfigured"'),
      answer ?? {},
    );
  }
  const [meta, pages] = [...secretArns.entries()].sort(([a]) => (a.startsWith('MetaSecret') ? -1 : 1));
  const generated = await aws.secrets.send(new GetSecretValueCommand({ SecretId: meta?.[1] }));
  check(
    'step 3: the Meta secret holds a generated verify token',
    String(JSON.parse(String(generated.SecretString)).META_VERIFY_TOKEN).length === 40,
    '',
  );
  await aws.secrets.send(
    new PutSecretValueCommand({ SecretId: meta?.[1], SecretString: JSON.stringify(META_SECRET) }),
  );
  await aws.secrets.send(
    new PutSecretValueCommand({ SecretId: pages?.[1], SecretString: JSON.stringify({ '*': PAGE_TOKEN }) }),
  );
};

/** Verification, signatures, signed fixtures and an oversized change in; the consumers fed from the queues. */
const ingest = async ({ check, http, deliver, drain, observer }: Driver) => {
  check('GET /healthz answers 200', (await http('GET', '/healthz')).status === 200, '');
  const verification = await http('GET', '/webhook', {
    query: {
      'hub.mode': 'subscribe',
      'hub.verify_token': META_SECRET.META_VERIFY_TOKEN,
      'hub.challenge': '1158201444',
    },
  });
  check(
    'Meta verification echoes the challenge',
    verification.status === 200 && verification.body.text === '1158201444',
    verification,
  );

  const partnerAdded = JSON.stringify(FIXTURES['partner-added']?.body);
  const unsigned = await http('POST', '/webhook', { body: partnerAdded });
  check('an unsigned delivery answers 401', unsigned.status === 401, unsigned);
  for (const name of ['partner-added', 'solution-created', 'take-thread-control', 'wa-message']) {
    const answer = await deliver(JSON.stringify(FIXTURES[name]?.body));
    check(`signed ${name} answers 200`, answer.status === 200, answer);
  }
  const oversized = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: EXAMPLE.pageId,
        time: Date.now(),
        messaging: [
          {
            sender: { id: EXAMPLE.psid },
            recipient: { id: EXAMPLE.pageId },
            timestamp: Date.now(),
            message: { mid: 'm1', text: 'x'.repeat(1_100_000) },
          },
        ],
      },
    ],
  });
  const big = await deliver(oversized);
  check(
    'a 1.1 MB passthrough change (over the SQS limit of 1 MiB) is queued by claim check (S3)',
    big.status === 200 && (await observer.objects()).some((key) => key.includes('/claims/')),
    { status: big.status, objects: await observer.objects() },
  );
  await drain();
};

/** A WABA read's onboarding state (docs/onboarding.md), or undefined when it has none. */
const onboardingStateOf = (body: Record<string, unknown>): unknown => {
  const onboarding = body.onboarding;
  return typeof onboarding === 'object' && onboarding !== null && 'state' in onboarding
    ? onboarding.state
    : undefined;
};

/** State read back through the API, then solution and thread actions against the sandbox Graph API. */
const readAndAct = async ({ check, http, observer }: Driver) => {
  const waba = await http('GET', `/v1/wabas/${EXAMPLE.wabaId}`);
  check(
    'the onboarded WABA reads back with the reference values',
    waba.status === 200 &&
      waba.body.ownerBusinessId === EXAMPLE.customerBusinessId &&
      waba.body.solutionId === EXAMPLE.solutionId &&
      waba.body.active === true,
    waba.body,
  );
  check(
    'its business token was fetched once and kept in Secrets Manager, never in the table',
    typeof waba.body.businessTokenSecret === 'string' &&
      (await observer.secretNames()).filter((name) => name.includes('/business-tokens/')).length === 1,
    waba.body.businessTokenSecret ?? null,
  );
  check(
    'its onboarding completes: every step done or skipped',
    onboardingStateOf(waba.body) === 'complete',
    waba.body.onboarding ?? null,
  );
  const solution = await http('GET', `/v1/solutions/${EXAMPLE.createdSolutionId}`);
  check('the created solution reads INITIATED', solution.body.status === 'INITIATED', solution.body);
  const accepted = await http('POST', `/v1/solutions/${EXAMPLE.createdSolutionId}/accept`);
  check(
    'accepting it through the actions bundle records ACTIVE',
    accepted.status === 200 && accepted.body.status === 'ACTIVE',
    accepted,
  );

  const user = '5647382910564739';
  const taken = await http('POST', `/v1/threads/${EXAMPLE.pageId}/${user}/take`, {
    body: JSON.stringify({ metadata: 'rehearsal' }),
  });
  check(
    'take through the actions bundle records our app as owner',
    taken.status === 200 && taken.body.ownerAppId === EXAMPLE.ourAppId,
    taken,
  );
  const released = await http('POST', `/v1/threads/${EXAMPLE.pageId}/${user}/release`);
  check(
    'release records the thread idle',
    released.status === 200 && released.body.ownerAppId === null,
    released,
  );
};

/** A WhatsApp conversation: the inbound message made it ours; it is listed by owner, then passed to MBA. */
const whatsappThread = async ({ check, http }: Driver) => {
  const thread = `/v1/whatsapp/threads/${ROUTING_EXAMPLE.phoneNumberId}/${ROUTING_EXAMPLE.user}`;
  const read = await http('GET', thread);
  check('the WhatsApp message reads back as a thread we own', read.body.owner === 'us', read);
  const listed = await http('GET', `/v1/whatsapp/threads/${ROUTING_EXAMPLE.phoneNumberId}`, {
    query: { owner: 'us' },
  });
  check(
    "the phone number's threads list it by owner",
    JSON.stringify(listed.body.items ?? []).includes(ROUTING_EXAMPLE.user),
    listed,
  );
  const passed = await http('POST', `${thread}/pass`, { body: JSON.stringify({ targetRole: 'ai_agent' }) });
  check(
    'pass through the actions bundle (thread_control) records Meta Business Agent as owner',
    passed.status === 200 && passed.body.owner === 'ai_agent',
    passed,
  );
};

/** A scheduled run (a baseline sweep), then an on-demand one through the API. */
const reconcile = async ({ check, http, drain, deployment }: Driver) => {
  const { template, containers } = deployment;
  const scheduled = scheduledFunctionsOf(template);
  check('the schedule starts at least one reconciliation', scheduled.length > 0, { scheduled });
  for (const { fnId, loop } of scheduled) {
    // The Step Functions loop: the payload its definition passes, until the function answers more: false.
    const execution = `arn:aws:states:${REGION}:${ACCOUNT}:execution:sweep:${randomUUID()}`;
    const event = loop
      ? { sweepOwner: execution }
      : { 'detail-type': 'Scheduled Event', source: 'aws.events' };
    let summary: Record<string, unknown> | undefined;
    for (let run = 0; run < 10; run++) {
      summary = await containers.get(fnId)?.invoke<Record<string, unknown>>(event);
      if (!loop || summary?.more !== true) break;
    }
    check(
      `the scheduled ${loop ? 'sweep loop' : 'run'} of ${fnId} completes a baseline sweep`,
      summary?.complete === true && summary.baseline === true && summary.more !== true,
      summary ?? {},
    );
  }
  const discovered = await http('GET', '/v1/wabas/120399918844556');
  check(
    'a WABA no webhook announced reads back as discovered by reconciliation',
    discovered.body.discoveredBy === 'reconciliation',
    discovered.body,
  );
  const onDemand = await http('POST', '/v1/reconcile');
  check(
    'POST /v1/reconcile answers a complete summary',
    onDemand.status === 200 && onDemand.body.complete === true,
    onDemand.body,
  );
  await drain();
  const onboarded = await http('GET', '/v1/wabas/120399918844556');
  check(
    'the onboarding job reconciliation queued for it completes (every step done or skipped)',
    onboardingStateOf(onboarded.body) === 'complete',
    onboarded.body.onboarding ?? null,
  );
};

/**
 * The rehearsal's story, told to the bundles through the template's own wiring (routes, event source
 * mappings, schedule): signed deliveries in, consumers fed from what the webhook queued, state read back,
 * actions against the sandbox Graph API, a scheduled and an on-demand reconciliation, the domain events of
 * the streams, and a replay of the archive that changes nothing.
 */
export const runScenario = async (deployment: Deployment, upTo?: 'ingest'): Promise<Check[]> => {
  const story = driver(deployment);
  await configure(story);
  await ingest(story);
  if (upTo === 'ingest') return story.checks;
  await readAndAct(story);
  await whatsappThread(story);
  await reconcile(story);
  await domainEvents(story);
  await replay(story);
  return story.checks;
};

/**
 * The tables' change streams (emulated from every UpdateItem the story made) fed to the function the template
 * maps them to, as Lambda would: the domain events it puts on the bus, and the archive the webhook kept.
 */
const domainEvents = async ({ check, deployment, observer }: Driver) => {
  const { template, containers, proxy } = deployment;
  const sources = streamSourcesOf(template);
  check('the state tables stream to a function', sources.size > 0, [...sources.keys()]);
  for (const [tableName, fnId] of sources) {
    const records = proxy.streams.filter((record) => record.eventSourceARN.includes(`:table/${tableName}/`));
    for (let start = 0; start < records.length; start += 100) {
      const answer = await containers.get(fnId)?.invoke<{ batchItemFailures?: unknown[] }>({
        Records: records.slice(start, start + 100),
      });
      check(
        `${fnId} publishes the events of ${tableName}'s stream records (${records.length})`,
        answer?.batchItemFailures?.length === 0,
        answer ?? {},
      );
    }
  }
  await observer.collectEvents();
  const types = new Set(observer.events.map((event) => event['detail-type']));
  check(
    'the bus delivers the documented events to a subscriber (WABA Onboarded, Solution Status Changed, Thread Owner Changed)',
    ['WABA Onboarded', 'Solution Status Changed', 'Thread Owner Changed'].every((type) => types.has(type)) &&
      observer.events.every((event) => event.source === 'switchboard'),
    { types: [...types], streamed: proxy.streams.length },
  );
  const invalid = eventSchemaErrors(template, observer.events);
  check(
    `every delivered event (${observer.events.length}) matches its schema in the template's registry`,
    observer.events.length > 0 && invalid.length === 0,
    invalid.slice(0, 3),
  );
  const objects = await observer.objects();
  const kept = (await observer.archivedRecords()).map(
    (record) => JSON.parse(record.data.toString('utf8')) as { body?: string; large?: string },
  );
  check(
    'every accepted delivery was archived as received (the raw body in its Firehose record, or in the bucket when too large)',
    kept.length > 0 &&
      kept.every(
        (record) =>
          typeof record.body === 'string' ||
          objects.some((key) => record.large !== undefined && key.endsWith(record.large)),
      ),
    { records: kept.length },
  );
};
