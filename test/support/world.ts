import fc from 'fast-check';
import { SOLUTION_STATUSES, type SolutionEvent } from '../../shared/domains/solutions/solution.js';
import type { ControlEvent, OwnerObservation } from '../../shared/domains/threads/thread.js';
import { eventIdOf } from '../../shared/kernel/event-id.js';

/**
 * Meta's world for the one-clock properties: the real changes of one object, in order, and everything that may
 * tell Switchboard about them — webhooks (lost, duplicated), our own actions (recorded from Meta's answer, at
 * the time it came), readings (a sweep's list or a `thread_owner`: Meta's state at the instant the request was
 * sent). Any interleaving of their arrival must publish at most one event per real change, in the order the
 * changes happened, and end on the truth once something told of the last change.
 *
 * The world changes an object at most once per whole second (solutions) or per millisecond (threads): the
 * precision Meta's own webhooks give (`entry.time` in seconds, handover `timestamp` in ms). Changes closer than
 * that no clock of Meta's can order, and the domain's documented rank decides them instead (not tested here).
 * For the same reason the change after one of our actions comes after its answer on that clock. A thread is
 * never read while our action on it runs (both hold the thread's action lease); a sweep may read a solution at
 * any time.
 */
export interface Change<S> {
  state: S;
  atMs: number;
  /** Webhooks Meta sent for it that arrived (0: lost, 2: a redelivery). */
  webhooks: number;
  /**
   * Made by our own action: its POST sent before the change, its answer after it (and before the next change);
   * undefined for someone else's change.
   */
  action?: { sentAtMs: number; answeredAtMs: number };
}

export interface World<S> {
  changes: Change<S>[];
  /** When each reading was taken (its request sent): it reads the state of that instant. */
  readingsAtMs: number[];
  /** Arrival order: a sort key per observation (generated, so shrinking keeps the order meaningful). */
  order: number[];
}

const BASE_MS = 1_700_000_000_000;

/**
 * Changes with strictly increasing times (each `gapMs` after the one before, and after the previous action's
 * answer on the domain's clock: `nextAfter`), consecutive states distinct.
 */
const worldOf = <S>(
  states: fc.Arbitrary<S>,
  gapMs: fc.Arbitrary<number>,
  nextAfter: (ms: number) => number,
  maxChanges: number,
  readDuringActions: boolean,
): fc.Arbitrary<World<S>> =>
  fc
    .record({
      steps: fc.array(
        fc.record({
          state: states,
          gap: gapMs,
          webhooks: fc.constantFrom(0, 1, 1, 2),
          ours: fc.boolean(),
          sendLead: fc.integer({ min: 1, max: 3_000 }),
          answerLag: fc.integer({ min: 1, max: 3_000 }),
        }),
        { minLength: 1, maxLength: maxChanges },
      ),
      // Each reading near one of the changes (just before or after it): where the clocks must agree.
      readings: fc.array(
        fc.record({ near: fc.nat({ max: maxChanges - 1 }), offset: fc.integer({ min: -1_500, max: 1_500 }) }),
        { maxLength: 6 },
      ),
      order: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 40, maxLength: 40 }),
    })
    .map(({ steps, readings, order }) => {
      const changes: Change<S>[] = [];
      let earliest = BASE_MS;
      for (const step of steps) {
        const previous = changes.at(-1);
        if (previous !== undefined && previous.state === step.state) continue;
        const atMs = Math.max(earliest, (previous?.atMs ?? BASE_MS) + step.gap);
        const since = previous?.action?.answeredAtMs ?? previous?.atMs ?? atMs - 5_000;
        const action = step.ours
          ? { sentAtMs: Math.max(since + 1, atMs - step.sendLead), answeredAtMs: atMs + step.answerLag }
          : undefined;
        changes.push({ state: step.state, atMs, webhooks: step.webhooks, ...(action ? { action } : {}) });
        earliest = nextAfter(action?.answeredAtMs ?? atMs);
      }
      const readingsAtMs = readings
        .map(({ near, offset }) => (changes[near % changes.length]?.atMs ?? BASE_MS) + offset)
        .filter(
          (atMs) =>
            readDuringActions ||
            !changes.some(({ action }) => action && atMs >= action.sentAtMs && atMs <= action.answeredAtMs),
        );
      return { changes, readingsAtMs, order };
    });

/** The state Meta holds at `atMs`: that of the last change made by then, or undefined before the first. */
export const stateAt = <S>(world: World<S>, atMs: number): S | undefined =>
  world.changes.filter((change) => change.atMs <= atMs).at(-1)?.state;

/**
 * Whether what arrived tells of the last change: its webhook, our action's answer, or a reading taken in a later
 * whole second than every change and answer (a reading ranks below every fact of its own second).
 */
export const lastChangeTold = <S>(world: World<S>): boolean => {
  const last = world.changes.at(-1);
  if (last === undefined) return true;
  const second = (ms: number) => Math.floor(ms / 1000);
  const latest = Math.max(...world.changes.map((change) => change.action?.answeredAtMs ?? change.atMs));
  return (
    last.webhooks > 0 ||
    last.action !== undefined ||
    world.readingsAtMs.some((atMs) => second(atMs) > second(latest))
  );
};

/**
 * Whether `published` (the states the events announced, in publish order) is a subsequence of the real changes:
 * each event a distinct real change, later than the one before it.
 */
export const isSubsequenceOfChanges = <S>(
  published: readonly S[],
  world: World<S>,
  sameState: (a: S, b: S) => boolean,
): boolean => {
  let index = -1;
  for (const state of published) {
    index = world.changes.findIndex((change, at) => at > index && sameState(change.state, state));
    if (index < 0) return false;
  }
  return true;
};

/** The observations in the generated arrival order. */
export const arrivalOrder = <T>(observations: readonly T[], order: readonly number[]): T[] =>
  observations
    .map((observation, index) => ({ observation, key: order[index % order.length] ?? 0, index }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map(({ observation }) => observation);

/**
 * Observations made under the object's action lease (our actions and refreshes of one thread) reach the table in
 * the order they were made: the lease serializes them. The others (webhooks) keep their place in `arrived`.
 */
export const leasedInOrder = <T extends { source: string; timeMs: number }>(arrived: readonly T[]): T[] => {
  const leased = arrived.filter((observation) => observation.source === 'action');
  const inOrder = [...leased].sort((a, b) => a.timeMs - b.timeMs);
  let next = 0;
  return arrived.map((observation) =>
    observation.source === 'action' ? (inOrder[next++] ?? observation) : observation,
  );
};

/** Solutions: a status changes at most once per whole second (Meta's webhooks carry whole seconds). */
export const solutionWorld = (maxChanges = 6) =>
  worldOf(
    fc.constantFrom(...SOLUTION_STATUSES),
    fc.integer({ min: 1, max: 4_000 }),
    (ms) => (Math.floor(ms / 1000) + 1) * 1000,
    maxChanges,
    true,
  );

/** Everything Switchboard may be told of a solution's world, as the domain's events. */
export const solutionObservations = (world: World<string>, solutionId: string): SolutionEvent[] => {
  const observations: SolutionEvent[] = [];
  for (const change of world.changes) {
    const entrySeconds = Math.floor(change.atMs / 1000);
    const webhook = {
      solutionId,
      status: change.state,
      event: 'SOLUTION_UPDATED',
      businessId: '506914307656634',
      timeMs: entrySeconds * 1000,
      eventId: eventIdOf({ solutionId, status: change.state, entrySeconds }),
      source: 'webhook' as const,
    };
    for (let copy = 0; copy < change.webhooks; copy++) observations.push(webhook);
    if (change.action !== undefined) {
      // As SolutionActions records Meta's answer: at the whole second it came, like Meta's webhook of it.
      const timeMs = Math.floor(change.action.answeredAtMs / 1000) * 1000;
      observations.push({
        ...webhook,
        event: 'accept',
        timeMs,
        eventId: eventIdOf({ solutionId, action: change.state, timeMs }),
        source: 'action',
      });
    }
  }
  for (const takenAt of world.readingsAtMs) {
    const status = stateAt(world, takenAt);
    if (status === undefined) continue; // Meta lists no such solution yet
    observations.push({
      solutionId,
      status,
      event: 'RECONCILED',
      businessId: '506914307656634',
      timeMs: takenAt,
      eventId: eventIdOf({ solutionId, status, takenAt }),
      source: 'reconciliation',
      name: null,
      pendingRequest: null,
    });
  }
  return observations;
};

/** Threads: the owner (an app, or null when idle) changes at most once per millisecond. */
export const threadWorld = (maxChanges = 6) =>
  worldOf<string | null>(
    fc.constantFrom('111', '222', '21202248997039', null),
    fc.integer({ min: 1, max: 2_500 }),
    (ms) => ms + 1,
    maxChanges,
    false,
  );

export type ThreadObservation = ControlEvent | OwnerObservation;

/** Everything Switchboard may be told of a thread's world, as the domain's events. */
export const threadObservations = (
  world: World<string | null>,
  pageId: string,
  userId: string,
): ThreadObservation[] => {
  const observations: ThreadObservation[] = [];
  world.changes.forEach((change, index) => {
    const previous = world.changes[index - 1]?.state ?? null;
    const kind = change.state === null ? 'release' : index % 2 === 0 ? 'pass' : 'take';
    const fact: ControlEvent = {
      kind,
      pageId,
      userId,
      timeMs: change.atMs,
      eventId: eventIdOf({ pageId, userId, kind, owner: change.state, at: change.atMs }),
      source: 'webhook',
      metadata: null,
      previousOwnerAppId: previous,
      newOwnerAppId: change.state,
      expiresAt: null,
    };
    for (let copy = 0; copy < change.webhooks; copy++) observations.push(fact);
    if (change.action !== undefined)
      observations.push({
        ...fact,
        timeMs: change.action.answeredAtMs,
        eventId: eventIdOf({ pageId, userId, kind, owner: change.state, at: change.action.answeredAtMs }),
        source: 'action',
      });
  });
  for (const takenAt of world.readingsAtMs) {
    const owner = stateAt(world, takenAt) ?? null;
    observations.push({
      kind: 'observed',
      pageId,
      userId,
      timeMs: takenAt,
      eventId: eventIdOf({ pageId, userId, owner, takenAt }),
      source: 'action',
      metadata: null,
      ownerAppId: owner,
      expiresAt: null,
    });
  }
  return observations;
};

/** Runs of a property: modest in the normal suite, `PROPERTY_RUNS` for a soak. */
export const propertyRuns = (normal: number): number => {
  const configured = Number(process.env.PROPERTY_RUNS);
  return Number.isInteger(configured) && configured > 0 ? configured : normal;
};
