import { describe, expect, it } from 'vitest';
import { decodeHandover } from '../../shared/domains/threads/decode.js';
import {
  type AppRolesEvent,
  applyThreadEvent,
  projectPageRoles,
  projectThread,
  type ThreadEvent,
} from '../../shared/domains/threads/thread.js';
import { fixtureEnvelope, fold } from '../support/envelopes.js';

const take = decodeHandover(fixtureEnvelope('take-thread-control')) as ThreadEvent;
const pass = decodeHandover(fixtureEnvelope('pass-thread-control')) as ThreadEvent;
const request = decodeHandover(fixtureEnvelope('request-thread-control')) as ThreadEvent;
const metadata = decodeHandover(fixtureEnvelope('pass-metadata')) as ThreadEvent;
const NOW = 1_500_000_000_000;

const project = (events: ThreadEvent[], now = NOW) => projectThread(fold(events, applyThreadEvent), now);

describe('threads domain', () => {
  it('take sets owner and previous owner from the notification', () => {
    expect(project([take])).toMatchObject({
      pageId: '1029384756102938',
      userId: '5647382910564738',
      ownerAppId: '21202248997039',
      previousOwnerAppId: '263902037430900',
      metadata: 'Information about the conversation',
      updatedAt: 1458692752478,
    });
  });

  it('the newest control event wins whatever the order, and shows inbox apps by name', () => {
    const expected = {
      ownerAppId: '263902037430900',
      ownerAppName: 'Page Inbox',
      previousOwnerAppId: '21202248997039',
    };
    expect(project([take, pass])).toMatchObject(expected);
    expect(project([pass, take])).toMatchObject(expected);
  });

  it('a request is pending until control changes', () => {
    expect(project([take, request])).toMatchObject({
      ownerAppId: '21202248997039',
      requestedOwnerAppId: '123456789',
    });
    expect(project([request, take, pass])).toMatchObject({ requestedOwnerAppId: null });
  });

  it('a thread known only from a request or metadata is owned by an app we cannot name, never idle', () => {
    // Meta sends request_thread_control to the app in control (conversation-control reference): someone is.
    for (const events of [[request], [metadata], [request, metadata]]) {
      expect(project(events)).toMatchObject({ ownerAppId: 'unknown', ownerKnown: false, idle: false });
    }
  });

  it('pass_metadata records metadata without changing the owner', () => {
    const thread = project([take, metadata]);
    expect(thread).toMatchObject({
      ownerAppId: '21202248997039',
      metadata: 'additional content that the caller wants to set',
    });
  });

  it('turns idle once the expiration passed, until a newer event', () => {
    const observed: ThreadEvent = {
      kind: 'observed',
      pageId: take.pageId,
      userId: take.userId,
      timeMs: 1_000,
      eventId: 'o',
      source: 'action',
      metadata: null,
      ownerAppId: 'A',
      expiresAt: 5_000,
    };
    expect(project([observed], 4_999)).toMatchObject({ ownerAppId: 'A', expiresAt: 5_000, expired: false });
    expect(project([observed], 5_000)).toMatchObject({ ownerAppId: null, expiresAt: null, expired: true });
    const later = {
      ...observed,
      kind: 'take' as const,
      timeMs: 6_000,
      eventId: 't',
      previousOwnerAppId: null,
      newOwnerAppId: 'B',
      expiresAt: null,
    };
    expect(project([observed, later], 7_000)).toMatchObject({ ownerAppId: 'B', expired: false });
  });

  it('records app roles on the page item', () => {
    const roles = decodeHandover(fixtureEnvelope('app-roles')) as AppRolesEvent;
    const item = applyThreadEvent(undefined, roles).item;
    expect(item.userId).toBe('#page');
    expect(projectPageRoles(item)).toEqual({
      pageId: '1029384756102938',
      appRoles: { '21202248997039': ['primary_receiver'] },
      updatedAt: 1458692752478,
    });
    expect(projectThread(item, NOW)).toBeUndefined();
  });
});

describe('handover timestamps', () => {
  it('accepts a timestamp sent as a string of digits, as the same instant as the number', () => {
    // Prepare: the reference's take notification with its timestamp quoted
    const envelope = fixtureEnvelope('take-thread-control');
    const change = envelope.change as Record<string, unknown>;
    const quoted = { ...envelope, change: { ...change, timestamp: String(change.timestamp) } };

    // Act
    const event = decodeHandover(quoted) as ThreadEvent;

    // Assess
    expect(event.timeMs).toBe(take.timeMs);
  });
});
