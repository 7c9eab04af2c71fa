import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitDelivery } from '../../shared/app/intake/split.js';
import { parseRelayDestinations, type RelayDestination } from '../../shared/app/relay/destinations.js';
import { arrayItems, objectMembers, valueEnd } from '../../shared/app/relay/json-spans.js';
import { relayMatches } from '../../shared/app/relay/match.js';
import { ownBody } from '../../shared/app/relay/own-body.js';
import { isRecord, parseJsonExact, parseJsonObject } from '../../shared/kernel/json.js';

const destination = (extra: Record<string, unknown>): RelayDestination => {
  const [parsed] = parseRelayDestinations(
    [{ name: 'crm', url: 'https://x.example.com', signing: 'own', fields: ['messages'], ...extra }],
    'https',
  );
  if (parsed === undefined) throw new Error('a destination');
  return parsed;
};

const own = (text: string, to: RelayDestination) => ownBody(text, parseJsonObject(text) ?? {}, to);

/** What the filtered delivery must be, computed on the parsed delivery instead of its text. */
const expected = (delivery: Record<string, unknown>, to: RelayDestination): unknown => {
  if (!Array.isArray(delivery.entry)) return undefined;
  const entries = delivery.entry.flatMap((entry) => {
    const matches = splitDelivery(
      { object: delivery.object, entry: [entry] },
      { deliveryId: 'x', receivedAt: 0 },
    ).map((envelope) => relayMatches(to, envelope));
    const lists = isRecord(entry)
      ? (['changes', 'messaging', 'standby'] as const).filter((key) => Array.isArray(entry[key]))
      : [];
    if (!isRecord(entry) || lists.length === 0) return matches.some(Boolean) ? [entry] : [];
    let next = 0;
    const kept: Record<string, unknown> = { ...entry };
    let any = false;
    for (const list of lists) {
      const items = entry[list] as unknown[];
      const chosen = items.filter((_item, index) => matches[next + index] === true);
      next += items.length;
      if (chosen.length === 0) delete kept[list];
      else {
        kept[list] = chosen;
        any = true;
      }
    }
    return any ? [kept] : [];
  });
  return entries.length === 0 ? undefined : { ...delivery, entry: entries };
};

const PHONES = ['106540352242922', '111', '222'];

const whatsappChange = fc.record({
  field: fc.constantFrom('messages', 'account_update', 'message_template_status_update', 'standby'),
  value: fc.record({
    messaging_product: fc.constant('whatsapp'),
    metadata: fc.record({ phone_number_id: fc.constantFrom(...PHONES) }),
    text: fc.string({ maxLength: 8 }),
  }),
});
const messagingEvent = fc.oneof(
  fc.record({
    sender: fc.record({ id: fc.constant('1') }),
    message: fc.record({ mid: fc.string({ maxLength: 4 }) }),
  }),
  fc.record({
    sender: fc.record({ id: fc.constant('1') }),
    postback: fc.record({ payload: fc.string({ maxLength: 4 }) }),
  }),
);
const entry = fc.oneof(
  fc.record({
    id: fc.constantFrom('102290129340398', '7'),
    time: fc.nat(),
    changes: fc.array(whatsappChange, { maxLength: 4 }),
  }),
  fc.record(
    {
      id: fc.constantFrom('104508901353867'),
      time: fc.nat(),
      messaging: fc.array(messagingEvent, { maxLength: 3 }),
      standby: fc.array(messagingEvent, { maxLength: 2 }),
    },
    { requiredKeys: ['id', 'time'] },
  ),
  fc.record({ id: fc.constant('9'), hop_context: fc.constant([{ app_id: '1' }]) }),
);
const delivery = fc.record({
  object: fc.constantFrom('whatsapp_business_account', 'page'),
  entry: fc.array(entry, { maxLength: 4 }),
});
const destinations = fc.record({
  fields: fc.subarray(['messages', 'standby', 'account_update', 'messaging_postbacks', '*'], {
    minLength: 1,
  }),
  phoneNumberIds: fc.option(fc.subarray(PHONES, { minLength: 1 }), { nil: undefined }),
});

describe("an own destination's body", () => {
  it('is the parsed delivery filtered to the matching changes, for any delivery, layout and destination', () => {
    fc.assert(
      fc.property(delivery, destinations, fc.constantFrom(0, 1, 2, '\t'), (body, filters, indent) => {
        // Prepare
        const text = JSON.stringify(body, null, indent);
        const to = destination(
          filters.phoneNumberIds === undefined
            ? { fields: filters.fields }
            : { fields: filters.fields, phoneNumberIds: filters.phoneNumberIds },
        );
        // Act
        const filtered = own(text, to);
        // Assess
        const want = expected(body, to);
        expect(filtered === undefined ? undefined : parseJsonExact(filtered)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps each change as Meta wrote it: long integers, escapes and spacing', () => {
    // Prepare: a bare 20-digit ID (past 2^53), \u escapes and odd spacing, as no serialiser would redo them.
    const kept =
      '{ "field" : "messages", "value": {"metadata": {"phone_number_id": "111"}, "id": 12345678901234567890, "t": "caf\\u00e9 \\ud83d\\udc4b"} }';
    const dropped = '{"field":"messages","value":{"metadata":{"phone_number_id":"222"}}}';
    const text = `{"object":"whatsapp_business_account","entry":[{"id":"1","time":5,"changes":[${dropped},  ${kept}]}]}`;
    // Act
    const filtered = own(text, destination({ phoneNumberIds: ['111'] }));
    // Assess
    expect(filtered).toBe(
      `{"object":"whatsapp_business_account","entry":[{"id":"1","time":5,"changes":[${kept}]}]}`,
    );
  });

  it('is nothing when no change matches, and the whole delivery when it has no entry list and matches', () => {
    const text =
      '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{}}]}]}';
    expect(own(text, destination({}))).toBeUndefined();
    const odd = '{"object":"page","something":1}';
    expect(own(odd, destination({ fields: ['*'] }))).toBe(odd);
    expect(own(odd, destination({}))).toBeUndefined();
  });
});

describe('JSON spans', () => {
  it('find members and items without parsing, past nesting and strings holding brackets', () => {
    const text = ' { "a" : [1, {"b": "]}\\""}, [ ] ], "c":true , "d" : -1.5e3 } ';
    const [a, c, d] = objectMembers(text, 1);
    expect([a?.key, c?.key, d?.key]).toEqual(['a', 'c', 'd']);
    expect(arrayItems(text, a?.value.start ?? 0).map(({ start, end }) => text.slice(start, end))).toEqual([
      '1',
      '{"b": "]}\\""}',
      '[ ]',
    ]);
    expect(text.slice(d?.value.start, d?.value.end)).toBe('-1.5e3');
    expect(valueEnd('"x"', 0)).toBe(3);
    expect(() => objectMembers('{"a" 1}', 0)).toThrow(/malformed/);
    expect(() => valueEnd('[1, 2', 0)).toThrow(/malformed/);
  });

  it('takes nesting as deep as a body can hold without using the stack', () => {
    const depth = 100_000;
    const text = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(valueEnd(text, 0)).toBe(text.length);
  });
});
