import { beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE } from '../../fixtures/deliveries.js';
import { MemoryDeadLetters } from '../../local/dead-letters.js';
import { MemorySecretStore } from '../../local/secret-store.js';
import { composeOnboarding } from '../../shared/app/onboarding.js';
import { readOnboardingSettings } from '../../shared/domains/onboarding/config.js';
import { onboardingJobHandler } from '../../shared/domains/onboarding/job-handler.js';
import { leaseKey } from '../../shared/domains/onboarding/workflow.js';
import { EnvReader } from '../../shared/platform/config/env.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import { ActionInProgressError } from '../../shared/platform/http/action-guard.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';
import { useLocalTables } from '../support/dynamo.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { sqsRecord } from '../support/sqs.js';

/**
 * An onboarding job that finds the WABA's onboarding lease busy: done when the holder does its work anyway, run
 * at once when the holder answered before the job could read who it was, retried through its queue otherwise.
 * Time is a clock the test moves; the lease holders are written as a dying or running holder leaves them.
 */
const graph = useFakeGraph();
const clock = { now: 1_800_000_000_000 };
const tables = useLocalTables(() => clock.now);
let wabaId = 102290129340300;

const onboarding = () =>
  composeOnboarding({
    graph: new GraphClient({ baseUrl: graph.base, token: async () => 'system-user-token', maxAttempts: 1 }),
    wabas: new RegisterTable(tables.dynamo.client, tables.dynamo.tableNames.wabas),
    control: tables.control,
    secrets: new MemorySecretStore(),
    metaSecrets: {
      get: async () => ({
        appSecret: '',
        appSecretPrevious: undefined,
        verifyToken: 'v',
        systemUserToken: 'system-user-token',
      }),
    },
    settings: readOnboardingSettings(new EnvReader({})),
    identity: { appId: EXAMPLE.ourAppId, businessId: EXAMPLE.businessId },
    businessTokens: {
      graph: new GraphClient({ baseUrl: graph.base, token: async () => 'system-user-token', maxAttempts: 1 }),
      wabas: tables.wabas,
      store: new MemorySecretStore(),
      secretPrefix: 'switchboard/business-tokens/',
      control: tables.control,
      now: () => clock.now,
    },
    telemetry: new Telemetry('actions'),
    now: () => clock.now,
  });

/** The pauses a job took while the lease was held; each may let the holder answer (`duringPause`). */
const pauses: number[] = [];
let duringPause: (count: number) => Promise<void> = async () => undefined;

const handlerWith = (deps: ReturnType<typeof onboarding>) =>
  onboardingJobHandler({
    onboarding: deps,
    legacy: async () => undefined,
    telemetry: new Telemetry('actions'),
    deadLetters: new MemoryDeadLetters(),
    queue: 'business-tokens',
    pause: async (ms) => {
      pauses.push(ms);
      await duringPause(pauses.length);
    },
  });

/** The WABA as the WABAs consumer records a PARTNER_ADDED through our solution, and its onboarding job. */
const partnerAdded = async (id: string) => {
  await tables.wabas.apply({
    type: 'change',
    wabaId: id,
    event: 'PARTNER_ADDED',
    timeMs: clock.now - 1_000,
    eventId: `add-${id}`,
    receivedBy: EXAMPLE.businessId,
    wabaInfo: {
      ownerBusinessId: EXAMPLE.customerBusinessId,
      solutionId: EXAMPLE.solutionId,
      partnerBusinessIds: [EXAMPLE.businessId],
    },
    details: {},
  });
  return sqsRecord(
    JSON.stringify({ v: 2, kind: 'onboard', wabaId: id, event: 'PARTNER_ADDED', timeMs: clock.now - 1_000 }),
    `job-${id}`,
  );
};

/**
 * Onboarding whose first `busy` acquires of the WABA's lease fail as if another job took it first, although
 * nobody holds it when the job reads it; `attempts()` counts the acquires.
 */
const busyAcquires = (id: string, busy: number) => {
  const deps = onboarding();
  const acquire = deps.control.acquireLease.bind(deps.control);
  let attempts = 0;
  deps.control.acquireLease = async (...args) => {
    if (args[0] !== leaseKey(id)) return acquire(...args);
    attempts += 1;
    return attempts <= busy ? false : acquire(...args);
  };
  return { deps, attempts: () => attempts };
};

const holdLease = (id: string, owner: string) =>
  tables.control.acquireLease(leaseKey(id), owner, clock.now + 35_000, clock.now);

describe('an onboarding job that finds the lease busy', () => {
  beforeEach(() => {
    wabaId += 1;
    pauses.length = 0;
    duringPause = async () => undefined;
    graph.fallback({
      status: 400,
      body: { error: { message: 'refused', type: 'OAuthException', code: 100 } },
    });
  });

  it('is done when a start holds it before writing anything: that start runs this very onboarding', async () => {
    // Prepare
    const id = String(wabaId);
    const job = await partnerAdded(id);
    await holdLease(id, 'job:onboard:holder');
    // Act
    await handlerWith(onboarding())(job);
    // Assess: nothing of it ran (no Graph call); the holder's own message carries it
    expect(graph.requests).toHaveLength(0);
  });

  it('runs at once when the holder answered before the job read who held it', async () => {
    // Prepare: the first acquire finds the lease busy; by the time the job reads it, its holder released it
    const id = String(wabaId);
    const job = await partnerAdded(id);
    const { deps, attempts } = busyAcquires(id, 1);
    // Act
    await handlerWith(deps)(job);
    // Assess: it ran now (its steps were tried and recorded), not after the queue's visibility timeout
    const waba = (await tables.wabas.get(id)) as { onboarding?: unknown } | undefined;
    expect(waba?.onboarding).toMatchObject({ state: 'failed' });
    expect(attempts()).toBe(2);
  });

  it('runs again when another job took the freed lease first, as often as that happens', async () => {
    // Prepare: the first three acquires find the lease busy although nobody holds it when the job reads it
    const id = String(wabaId);
    const job = await partnerAdded(id);
    const { deps, attempts } = busyAcquires(id, 3);
    // Act
    await handlerWith(deps)(job);
    // Assess: it ran on the fourth try, without a pause and without going back to its queue
    const waba = (await tables.wabas.get(id)) as { onboarding?: unknown } | undefined;
    expect(waba?.onboarding).toMatchObject({ state: 'failed' });
    expect(attempts()).toBe(4);
    expect(pauses).toEqual([]);
  });

  it('takes a lease whose holder died: it lapses during a pause, and the job runs', async () => {
    // Prepare: an operator's action took the lease and died; the lease lapses while the job pauses
    const id = String(wabaId);
    const job = await partnerAdded(id);
    await holdLease(id, 'api:operator');
    duringPause = async () => {
      clock.now += 36_000;
    };
    // Act
    await handlerWith(onboarding())(job);
    // Assess
    expect(pauses).toHaveLength(1);
    const waba = (await tables.wabas.get(id)) as { onboarding?: unknown } | undefined;
    expect(waba?.onboarding).toMatchObject({ state: 'failed' });
  });

  it('is retried through its queue while an operator\u2019s action holds it past its pauses', async () => {
    // Prepare
    const id = String(wabaId);
    const job = await partnerAdded(id);
    await holdLease(id, 'api:operator');
    // Act / Assess
    await expect(handlerWith(onboarding())(job)).rejects.toBeInstanceOf(ActionInProgressError);
    expect(graph.requests).toHaveLength(0);
    // It paused a few seconds in all (not the queue's visibility timeout), then gave the job back.
    expect(pauses.length).toBeGreaterThan(2);
    expect(pauses.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(10_000);
  });

  it('runs when a holder that does other work answers during one of its pauses', async () => {
    // Prepare: an operator's action holds the lease and releases it during the job's second pause
    const id = String(wabaId);
    const job = await partnerAdded(id);
    await holdLease(id, 'api:operator');
    duringPause = async (count) => {
      if (count === 2) await tables.control.releaseLease(leaseKey(id), 'api:operator');
    };
    // Act
    await handlerWith(onboarding())(job);
    // Assess: it ran then (its steps were tried and recorded), not after the queue's visibility timeout
    expect(pauses).toHaveLength(2);
    const waba = (await tables.wabas.get(id)) as { onboarding?: unknown } | undefined;
    expect(waba?.onboarding).toMatchObject({ state: 'failed' });
  });
});
