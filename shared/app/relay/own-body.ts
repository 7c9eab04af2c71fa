import { isRecord } from '../../kernel/json.js';
import { splitDelivery } from '../intake/split.js';
import type { RelayDestination } from './destinations.js';
import { arrayItems, type Member, objectMembers, type Span, skipWhitespace, textOf } from './json-spans.js';
import { relayMatches } from './match.js';

/** The lists of an entry, in the order the split reads them (its envelopes come in this order). */
const LISTS = ['changes', 'messaging', 'standby'] as const;

/** The split's context: matching reads only fields and IDs, never the delivery's time or ID. */
const CONTEXT = { deliveryId: 'relay', receivedAt: 0 };

/**
 * One entry with only the items the destination receives, from their exact text; undefined when none. An entry
 * the split cannot take apart (not an object, or without lists) is kept whole when its one envelope matches.
 */
const filterEntry = (
  text: string,
  span: Span,
  entry: unknown,
  object: unknown,
  destination: RelayDestination,
): string | undefined => {
  const envelopes = splitDelivery({ object, entry: [entry] }, CONTEXT);
  const matches = envelopes.map((envelope) => relayMatches(destination, envelope));
  const lists = isRecord(entry) ? LISTS.filter((list) => Array.isArray(entry[list])) : [];
  if (lists.length === 0) return matches.some(Boolean) ? textOf(text, span) : undefined;
  let next = 0;
  let kept = 0;
  const keptItems = new Map<string, string[]>();
  // Envelopes come list by list in LISTS order; the members may stand in any order in the text.
  const members = objectMembers(text, span.start);
  const byKey = new Map<string, Member>(members.map((member) => [member.key, member]));
  for (const list of lists) {
    const member = byKey.get(list);
    const items = member === undefined ? [] : arrayItems(text, member.value.start);
    if (items.length !== (isRecord(entry) && Array.isArray(entry[list]) ? entry[list].length : 0))
      throw new Error('the delivery repeats a key: its changes cannot be told apart');
    const chosen = items.filter((_item, index) => matches[next + index] === true);
    next += items.length;
    kept += chosen.length;
    keptItems.set(
      list,
      chosen.map((item) => textOf(text, item)),
    );
  }
  if (kept === 0) return undefined;
  const parts = members.flatMap((member) => {
    const items = keptItems.get(member.key);
    if (items === undefined) return [textOf(text, member.whole)];
    if (byKey.get(member.key) !== member) return [];
    return items.length === 0 ? [] : [`${JSON.stringify(member.key)}:[${items.join(',')}]`];
  });
  return `{${parts.join(',')}}`;
};

/**
 * An `own` destination's body: Meta's envelope (`object`, `entry[]` with each entry's `id`, `time` and other
 * members) holding only the changes the destination receives, each as Meta wrote it; undefined when nothing
 * matches (the destinations may have changed since the copy was queued). A delivery without an `entry` list is
 * forwarded whole when it matches at all.
 */
export const ownBody = (
  text: string,
  delivery: Record<string, unknown>,
  destination: RelayDestination,
): string | undefined => {
  const start = skipWhitespace(text, 0);
  const members = objectMembers(text, start);
  const entryMember = members.find((member) => member.key === 'entry');
  const entries = delivery.entry;
  if (entryMember === undefined || !Array.isArray(entries)) {
    const [whole] = splitDelivery(delivery, CONTEXT);
    return whole !== undefined && relayMatches(destination, whole) ? text : undefined;
  }
  const spans = arrayItems(text, entryMember.value.start);
  if (spans.length !== entries.length)
    throw new Error('the delivery repeats a key: its entries cannot be told apart');
  const kept = spans.flatMap((span, index) => {
    const entry = filterEntry(text, span, entries[index], delivery.object, destination);
    return entry === undefined ? [] : [entry];
  });
  if (kept.length === 0) return undefined;
  const parts = members.map((member) =>
    member === entryMember ? `"entry":[${kept.join(',')}]` : textOf(text, member.whole),
  );
  return `{${parts.join(',')}}`;
};
