import { describe, expect, it } from 'vitest';
import { decodeWabaChange } from '../../shared/domains/wabas/decode.js';
import { projectWaba } from '../../shared/domains/wabas/view.js';
import { applyWabaEvent, type WabaEvent } from '../../shared/domains/wabas/waba.js';
import { InvalidEventError } from '../../shared/kernel/errors.js';
import { fixtureEnvelope, fold } from '../support/envelopes.js';

const added = decodeWabaChange(fixtureEnvelope('partner-added'));
const removed = decodeWabaChange(fixtureEnvelope('partner-removed'));
const reconnected = decodeWabaChange(fixtureEnvelope('account-reconnected'));

const observation = (timeMs: number, name = 'Cool New Customer 2'): WabaEvent => ({
  type: 'observation',
  wabaId: '102290129340398',
  timeMs,
  eventId: `obs-${timeMs}`,
  name,
  timezoneId: '7',
  businessType: 'ent',
  messageTemplateNamespace: '0add05f3_abbe_4a55_b6f5_e751fa4e1244',
  partnerBusinessId: '116133292427920',
  solutionIds: [],
});

const project = (events: WabaEvent[]) => projectWaba(fold(events, applyWabaEvent));

describe('WABAs domain', () => {
  it('records the reference PARTNER_ADDED values', () => {
    expect(project([added])).toMatchObject({
      wabaId: '102290129340398',
      ownerBusinessId: '6143763655652543',
      solutionId: '303610109049230',
      partnerBusinessIds: ['506914307656634', '116133292427920'],
      onboardedAt: 1690592557,
      active: true,
      lastEvent: 'PARTNER_ADDED',
      discoveredBy: 'webhook',
    });
  });

  it('marks it inactive with the reason after a newer removal, in any order', () => {
    const expected = { active: false, inactiveReason: 'PARTNER_REMOVED', onboardedAt: 1690592557 };
    expect(project([added, removed])).toMatchObject(expected);
    expect(project([removed, added])).toMatchObject(expected);
  });

  it('reactivates on ACCOUNT_RECONNECTED or a newer add', () => {
    expect(project([removed, reconnected, added])).toMatchObject({
      active: true,
      lastEvent: 'ACCOUNT_RECONNECTED',
    });
    const readd = { ...added, timeMs: removed.timeMs + 1000, eventId: 're-add' };
    expect(project([added, removed, readd])).toMatchObject({
      active: true,
      onboardedAt: readd.timeMs / 1000,
    });
  });

  it('records other events on a known WABA as its last event', () => {
    const other: WabaEvent = {
      ...added,
      event: 'ACCOUNT_VIOLATION',
      wabaInfo: null,
      timeMs: added.timeMs + 5000,
      eventId: 'v',
    };
    expect(project([added, other])).toMatchObject({ active: true, lastEvent: 'ACCOUNT_VIOLATION' });
  });

  it('serves a WABA known only through a violation, not as active: nothing says it was onboarded with us', () => {
    const violation: WabaEvent = {
      ...added,
      event: 'ACCOUNT_VIOLATION',
      wabaInfo: null,
      eventId: 'v',
      details: { violation_info: { violation_type: 'ADULT' } },
    };
    expect(project([violation])).toMatchObject({
      active: false,
      inactiveReason: null,
      discoveredBy: null,
      onboardedAt: null,
      violation: { type: 'ADULT' },
      facts: { ACCOUNT_VIOLATION: { violation_info: { violation_type: 'ADULT' } } },
    });
  });

  it('merges reconciliation fields and keeps discoveredBy from whoever came first', () => {
    const webhookFirst = project([added, observation(1_700_000_000_000)]);
    expect(webhookFirst).toMatchObject({
      discoveredBy: 'webhook',
      name: 'Cool New Customer 2',
      timezoneId: '7',
    });
    const reconciliationFirst = project([observation(1_700_000_000_000), added]);
    expect(reconciliationFirst).toMatchObject({
      discoveredBy: 'reconciliation',
      solutionId: '303610109049230',
    });
    const { discoveredBy: _a, ...restA } = webhookFirst ?? {};
    const { discoveredBy: _b, ...restB } = reconciliationFirst ?? {};
    expect(restA).toEqual(restB);
  });

  it('treats PARTNER_APP_INSTALLED with waba_info like an add', () => {
    const installed: WabaEvent = { ...added, event: 'PARTNER_APP_INSTALLED', eventId: 'i' };
    expect(project([installed])).toMatchObject({ solutionId: '303610109049230', active: true });
  });

  it('rejects a change without an event name', () => {
    const envelope = { ...fixtureEnvelope('partner-added'), change: { field: 'account_update', value: {} } };
    expect(() => decodeWabaChange(envelope)).toThrow(InvalidEventError);
  });
});
