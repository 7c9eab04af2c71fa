import { slotOf } from '../../kernel/bounds.js';

/**
 * What a WABA item may hold, whatever Meta sends (a signed delivery may carry thousands of distinct
 * `account_update` event names, each with anything beside it):
 *
 * - one fact register per documented event name (`DOCUMENTED_FACTS`), plus `OTHER_FACT_SLOTS` registers for every
 *   other name (each name hashes to one slot, which keeps the newest event of its slot, name included);
 * - one app register for our own app (or the app receiving the event), plus `OTHER_APP_SLOTS` for other apps;
 * - each fact's details within `MAX_FACT_DETAIL_BYTES` of JSON: the fields the read model reads first, then the
 *   others smallest first; what did not fit is counted in the register and the read model (`factsDropped`);
 * - texts within `MAX_TEXT`, ID lists within `MAX_IDS`.
 *
 * Hence the stated maxima below (measured against the worst case in test/domain/bounded-items.test.ts).
 */
export const DOCUMENTED_FACTS: ReadonlySet<string> = new Set([
  'ACCOUNT_RESTRICTION',
  'ACCOUNT_VIOLATION',
  'AD_ACCOUNT_LINKED',
  'AUTH_INTL_PRICE_ELIGIBILITY_UPDATE',
  'BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE',
  'DISABLED_UPDATE',
  'MM_LITE_TERMS_SIGNED',
  'PARTNER_CLIENT_CERTIFICATION_NEEDED',
  'PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE',
  'VERIFIED_ACCOUNT',
  'VOLUME_BASED_PRICING_TIER_UPDATE',
]);
export const OTHER_FACT_SLOTS = 8;
export const OTHER_APP_SLOTS = 16;
export const MAX_FACT_DETAIL_BYTES = 4_096;
export const MAX_TEXT = 256;
export const MAX_IDS = 20;

/** The largest WABA item (DynamoDB's limit is 400 KB). */
export const WABA_ITEM_MAX_BYTES = 160 * 1024;
/** The largest WABA domain event (EventBridge's entry limit is 256 KB). */
export const WABA_EVENT_MAX_BYTES = 160 * 1024;

/** Fields of a fact's details the read model reads: kept first when the details must be cut. */
export const READ_FIELDS = [
  'ban_info',
  'restriction_info',
  'violation_info',
  'waba_info',
  'disconnection_info',
];

/** The fact register suffix of an event name: its own for a documented one, else its slot (`x0`..`x7`). */
export const factSlot = (event: string): string =>
  DOCUMENTED_FACTS.has(event) ? event : `x${slotOf(event, OTHER_FACT_SLOTS)}`;

/** The app register suffix: ours (`self` when the event names no app) by its ID, others by slot (`o0`..). */
export const appSlot = (appId: string | null, ours: boolean): string =>
  appId === null ? 'self' : ours ? appId : `o${slotOf(appId, OTHER_APP_SLOTS)}`;
