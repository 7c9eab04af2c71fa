import { describe, expect, it } from 'vitest';
import { decodeSolutionChange } from '../../shared/domains/solutions/decode.js';
import { solutionEvents } from '../../shared/domains/solutions/events.js';
import {
  applySolutionEvent,
  projectSolution,
  type SolutionEvent,
  sameSolutionState,
} from '../../shared/domains/solutions/solution.js';
import { InvalidEventError } from '../../shared/kernel/errors.js';
import { fixtureEnvelope, fold } from '../support/envelopes.js';

const event = (status: string, timeS: number, overrides: Partial<SolutionEvent> = {}): SolutionEvent => ({
  solutionId: 's1',
  status,
  event: 'SOLUTION_UPDATED',
  businessId: '506914307656634',
  timeMs: timeS * 1000,
  eventId: `e-${status}-${timeS}`,
  source: 'webhook',
  ...overrides,
});

const project = (events: SolutionEvent[]) => projectSolution(fold(events, applySolutionEvent));

describe('solutions domain', () => {
  it('decodes the reference SOLUTION_CREATED payload', () => {
    // Prepare
    const envelope = fixtureEnvelope('solution-created');
    // Act
    const decoded = decodeSolutionChange(envelope);
    // Assess
    expect(decoded).toMatchObject({
      solutionId: '774485461512159',
      status: 'INITIATED',
      event: 'SOLUTION_CREATED',
      businessId: '506914307656634',
      timeMs: 1718143652000,
      source: 'webhook',
    });
  });

  it('takes the status from the newest event, whatever the arrival order', () => {
    const created = event('INITIATED', 100, { event: 'SOLUTION_CREATED' });
    const active = event('ACTIVE', 200);
    expect(project([active, created])).toMatchObject({
      status: 'ACTIVE',
      statusChangedAt: 200,
      firstSeenAt: 100,
    });
    expect(project([created, active])).toEqual(project([active, created]));
  });

  it('breaks same-second ties by lifecycle order, then event ID', () => {
    const initiated = event('INITIATED', 100);
    const active = event('ACTIVE', 100);
    expect(project([active, initiated])?.status).toBe('ACTIVE');
    expect(project([initiated, active])?.status).toBe('ACTIVE');
  });

  it('keeps the receiving business, the first-seen time and a bounded history', () => {
    const events = [
      event('INITIATED', 100),
      event('ACTIVE', 200),
      event('PENDING_DEACTIVATION', 300),
      event('ACTIVE', 400),
    ];
    const solution = project(events);
    expect(solution).toMatchObject({
      status: 'ACTIVE',
      statusChangedAt: 400,
      firstSeenAt: 100,
      businessId: '506914307656634',
    });
    // One entry per status: the latest time each status was entered.
    expect(solution?.history.map((entry) => [entry.status, entry.at])).toEqual([
      ['INITIATED', 100],
      ['PENDING_DEACTIVATION', 300],
      ['ACTIVE', 400],
    ]);
  });

  it('stores an undocumented status as given and flags it', () => {
    const solution = project([event('INITIATED', 100), event('SOMETHING_NEW', 200)]);
    expect(solution).toMatchObject({ status: 'SOMETHING_NEW', statusDocumented: false });
  });

  it('treats a duplicate as a no-op and reports it', () => {
    const first = applySolutionEvent(undefined, event('ACTIVE', 100));
    const again = applySolutionEvent(first.item, event('ACTIVE', 100));
    expect(again.outcome).toBe('duplicate');
    expect(again.item).toBe(first.item);
    expect(applySolutionEvent(first.item, event('ACTIVE', 50)).outcome).toBe('stale');
  });

  it('lets a reconciliation reading win without moving the time a webhook recorded for the same status', () => {
    const webhook = event('ACTIVE', 200);
    const reading = event('ACTIVE', 900, {
      source: 'reconciliation',
      event: 'RECONCILED',
      eventId: 'obs',
      name: 'Social OVD',
    });
    const solution = project([event('INITIATED', 100), reading, webhook]);
    expect(solution).toMatchObject({
      status: 'ACTIVE',
      statusChangedAt: 200,
      name: 'Social OVD',
      lastReconciledAt: 900,
    });
  });

  it('rejects a change without a solution ID or status as invalid', () => {
    const envelope = {
      ...fixtureEnvelope('solution-created'),
      change: { field: 'partner_solutions', value: { event: 'X' } },
    };
    expect(() => decodeSolutionChange(envelope)).toThrow(InvalidEventError);
  });
});

describe('a waiting deactivation, as webhooks and Graph each write it', () => {
  it('is one state: no domain event between the two forms, and the status keeps its time', () => {
    // Prepare: the webhook's PENDING_DEACTIVATION, then Graph's ACTIVE beside the pending request.
    const webhook: SolutionEvent = {
      solutionId: '17602267745700',
      status: 'PENDING_DEACTIVATION',
      event: 'SOLUTION_UPDATED',
      businessId: '506914307656634',
      timeMs: 1_700_000_000_000,
      eventId: 'w1',
      source: 'webhook',
    };
    const reading: SolutionEvent = {
      ...webhook,
      status: 'ACTIVE',
      pendingRequest: 'PENDING_DEACTIVATION',
      event: 'RECONCILED',
      timeMs: 1_700_000_600_000,
      eventId: 'r1',
      source: 'reconciliation',
    };
    const first = applySolutionEvent(undefined, webhook).item;

    // Act
    const second = applySolutionEvent(first, reading).item;
    const third = applySolutionEvent(second, { ...webhook, timeMs: 1_700_001_200_000, eventId: 'w2' }).item;

    // Assess
    expect(solutionEvents(first, second)).toEqual([]);
    expect(solutionEvents(second, third)).toEqual([]);
    expect(projectSolution(second)).toMatchObject({
      pendingRequest: 'PENDING_DEACTIVATION',
      statusChangedAt: 1_700_000_000,
    });
    expect(
      sameSolutionState(
        { status: 'ACTIVE', pendingRequest: null },
        { status: 'ACTIVE', pendingRequest: 'PENDING_DEACTIVATION' },
      ),
    ).toBe(false);
  });
});
