import { describe, expect, it } from 'vitest';
import { applySolutionEvent } from '../../shared/domains/solutions/solution.js';
import { decodeHandover } from '../../shared/domains/threads/decode.js';
import {
  DOCUMENTED_FACTS,
  WABA_EVENT_MAX_BYTES,
  WABA_ITEM_MAX_BYTES,
} from '../../shared/domains/wabas/bounds.js';
import { wabaEvents } from '../../shared/domains/wabas/events.js';
import {
  applyWabaEvent,
  type WabaChangeEvent,
  type WabaEvent,
  wabaKey,
} from '../../shared/domains/wabas/waba.js';
import { InvalidEventError } from '../../shared/kernel/errors.js';
import { applyRegisterWrite, type Item } from '../../shared/kernel/registers.js';
import type { ChangeEnvelope } from '../../shared/platform/queue/envelope.js';
import { deliver, readJson } from '../support/corpus.js';
import { envelopesOf } from '../support/envelopes.js';
import { useLocalStack } from '../support/local-stack.js';
import { sized } from '../support/sizes.js';

/**
 * Every WABA item and every WABA event has a stated maximum Meta's input cannot exceed. A hostile signed
 * delivery: thousands of distinct `account_update` event names for one WABA, each with kilobytes beside it,
 * some with one huge field. Local mode (dynalite enforces DynamoDB's 400 KB item limit).
 */
// One hot item takes thousands of writes in a row: a visibility timeout as long as a real queue's, not the tests'
// 200 ms.
const local = useLocalStack({ visibilityTimeoutMs: 60_000 });
const WABA = '990000000000001';
// The names share OTHER_FACT_SLOTS slots, so 300 already fill every slot many times over; the soak sends 3,000.
const DISTINCT_NAMES = sized('HOSTILE_NAMES', { fast: 300, soak: 3_000 });

const hostileDelivery = (seconds: number) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: WABA,
      time: seconds,
      changes: Array.from({ length: DISTINCT_NAMES }, (_, index) => ({
        field: 'account_update',
        value: {
          event: `HOSTILE_EVENT_${index}_${'X'.repeat(40)}`,
          filler: 'f'.repeat(index % 100 === 0 ? 20_000 : 300),
          [`field_${index}`]: index,
        },
      })),
    },
  ],
});

const ban = (seconds: number) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: WABA,
      time: seconds,
      changes: [
        {
          field: 'account_update',
          value: {
            event: 'DISABLED_UPDATE',
            ban_info: { waba_ban_state: ['DISABLE'], waba_ban_date: '2025-01-01' },
            padding: 'p'.repeat(50_000),
          },
        },
      ],
    },
  ],
});

describe('a WABA item and its events stay bounded whatever Meta sends', () => {
  it(`${DISTINCT_NAMES} distinct event names in one signed delivery: every change applies, within the stated sizes`, async () => {
    // Act
    const now = Math.floor(Date.now() / 1000);
    const delivered = await deliver(local.stack, hostileDelivery(now - 120));
    const banned = await deliver(local.stack, ban(now - 60));
    await local.stack.drain();
    const stored = await local.stack.tables.wabas?.get(wabaKey(WABA));
    const updates = local.stack.events.items.filter((event) => event.detail.wabaId === WABA);
    const read = await readJson(local.stack, `/v1/wabas/${WABA}`);

    // Assess: nothing failed or dead-lettered, the item and every event within their maxima
    expect([delivered.status, banned.status]).toEqual([200, 200]);
    expect(local.stack.queues.queues.wabas?.dlq?.peek().map((message) => message.attributes)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThanOrEqual(WABA_ITEM_MAX_BYTES);
    for (const event of updates)
      expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(WABA_EVENT_MAX_BYTES);
    // What matters is kept (the ban, read from its documented field), what was dropped is counted
    expect(read.body).toMatchObject({ banned: true, ban: { state: ['DISABLE'] } });
    expect(read.body.factsDropped).toMatchObject({ fields: expect.any(Number) });
    expect(Number((read.body.factsDropped as { fields: number }).fields)).toBeGreaterThan(0);
  });
});

describe('the stated WABA maxima hold for the worst case', () => {
  it('every register at its largest: the item and each event within WABA_ITEM_MAX_BYTES / WABA_EVENT_MAX_BYTES', () => {
    // Prepare: every register the item may hold, each as large as Meta's input can make it
    const id = (n: number) => String(10n ** 31n + BigInt(n));
    const partners = Array.from({ length: 100 }, (_, n) => id(n));
    const long = 'L'.repeat(10_000);
    const info = (appId: string | null) => ({
      ownerBusinessId: id(1),
      solutionId: id(2),
      partnerBusinessIds: partners,
      partnerAppId: appId,
    });
    const change = (event: string, at: number, extra: Partial<WabaChangeEvent> = {}): WabaChangeEvent => ({
      type: 'change',
      wabaId: WABA,
      event,
      timeMs: 1_700_000_000_000 + at * 1000,
      eventId: `e${at}`,
      receivedBy: id(3),
      wabaInfo: info(null),
      // Many small fields: as much as fits in a fact's bounded details is kept.
      details: Object.fromEntries(Array.from({ length: 200 }, (_, n) => [`field_${n}`, 'd'.repeat(100)])),
      ...extra,
    });
    const others = Array.from({ length: 200 }, (_, n) => `OTHER_${n}_${'N'.repeat(300)}`);
    const events: WabaEvent[] = [
      change('PARTNER_ADDED', 1),
      change('PARTNER_REMOVED', 2, { disconnection: { reason: long, initiatedBy: long } }),
      change('PARTNER_APP_INSTALLED', 3, { ours: true }),
      ...Array.from({ length: 200 }, (_, n) =>
        change('PARTNER_APP_INSTALLED', 4 + n, { wabaInfo: info(id(100 + n)), ours: false }),
      ),
      ...[...DOCUMENTED_FACTS, ...others].map((name, n) => change(name, 300 + n)),
      {
        type: 'observation',
        wabaId: WABA,
        timeMs: 1_700_000_900_000,
        eventId: 'o',
        name: long,
        timezoneId: long,
        businessType: long,
        messageTemplateNamespace: long,
        partnerBusinessId: id(4),
        solutionIds: partners,
      },
      {
        type: 'token',
        wabaId: WABA,
        timeMs: 1,
        eventId: 't',
        secretName: 's'.repeat(512),
        businessId: id(5),
      },
    ];

    // Act
    let item: Item | undefined;
    let largestEvent = 0;
    for (const event of events) {
      const next = applyWabaEvent(item, event).item;
      for (const published of wabaEvents(item, next))
        largestEvent = Math.max(largestEvent, Buffer.byteLength(JSON.stringify(published)));
      item = next;
    }
    const itemBytes = Buffer.byteLength(JSON.stringify(item));

    // Assess
    expect(itemBytes).toBeLessThanOrEqual(WABA_ITEM_MAX_BYTES);
    expect(largestEvent).toBeLessThanOrEqual(WABA_EVENT_MAX_BYTES);
    console.info(`worst-case WABA item ${itemBytes} bytes, largest event ${largestEvent} bytes`);
  });
});

describe('every domain bounds what Meta can put in one item', () => {
  it('solutions: any number of undocumented statuses share one register; texts are bounded', () => {
    let item: Item | undefined;
    for (let n = 0; n < 500; n++)
      item = applySolutionEvent(item, {
        solutionId: '1',
        status: `UNDOCUMENTED_${n}_${'S'.repeat(1_000)}`,
        event: 'E'.repeat(10_000),
        businessId: '2',
        timeMs: 1_700_000_000_000 + n * 1000,
        eventId: `e${n}`,
        source: 'webhook',
        name: 'N'.repeat(100_000),
      }).item;
    const registers = Object.keys(item ?? {}).filter((name) => name.startsWith('r_'));
    expect(registers).toEqual(['r_s__UNDOCUMENTED']);
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(2_048);
  });

  it('threads: metadata within Meta’s 1,000 characters, app roles within 50 apps', () => {
    const [take] = envelopesOf({
      object: 'page',
      entry: [
        {
          id: '1',
          time: 1_700_000_000_000,
          messaging: [
            {
              sender: { id: '2' },
              recipient: { id: '1' },
              timestamp: 1_700_000_000_000,
              take_thread_control: {
                previous_owner_app_id: '3',
                new_owner_app_id: '4',
                metadata: 'm'.repeat(500_000),
              },
            },
          ],
        },
      ],
    });
    const [roles] = envelopesOf({
      object: 'page',
      entry: [
        {
          id: '1',
          time: 1_700_000_000_000,
          messaging: [
            {
              recipient: { id: '1' },
              timestamp: 1_700_000_000_000,
              app_roles: Object.fromEntries(
                Array.from({ length: 10_000 }, (_, n) => [String(n + 1), ['primary']]),
              ),
            },
          ],
        },
      ],
    });
    const decodedTake = decodeHandover(take as ChangeEnvelope);
    const decodedRoles = decodeHandover(roles as ChangeEnvelope);
    expect(decodedTake.kind === 'take' && (decodedTake.metadata ?? '').length).toBeLessThan(1_100);
    expect(decodedRoles.kind === 'app_roles' && Object.keys(decodedRoles.roles).length).toBe(50);
  });

  it('the backstop: a register past 8 KiB is an invalid event (its DLQ), never an unwritable item', () => {
    expect(() =>
      applyRegisterWrite(
        undefined,
        { id: '1' },
        { register: 'r_x', value: { v: '1', text: 'x'.repeat(9_000) } },
      ),
    ).toThrow(InvalidEventError);
  });
});
