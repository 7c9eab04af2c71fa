/** Partner events name the WABA only in `waba_info`: their `entry.id` is the portfolio that received them. */
const PARTNER_EVENTS = new Set([
  'PARTNER_ADDED',
  'PARTNER_REMOVED',
  'PARTNER_APP_INSTALLED',
  'PARTNER_APP_UNINSTALLED',
]);

/**
 * Whether an `account_update` value names no WABA: a partner event without `waba_info`, as Meta's App-Only
 * Install page shows PARTNER_APP_UNINSTALLED for an app installed on a portfolio without any WABA. Reading its
 * `entry.id` as a WABA would invent one. The exception is Coexistence (a business on the WhatsApp Business app
 * and Cloud API at once): its PARTNER_REMOVED carries the `phone_number` (and `disconnection_info`) and no
 * `waba_info`, and there `entry.id` is the WABA ("Onboarding WhatsApp Business app users", offboarding example;
 * changelog of 2026-04-03).
 */
export const namesNoWaba = (value: Record<string, unknown>): boolean => {
  const event = typeof value.event === 'string' ? value.event.trim() : '';
  if (!PARTNER_EVENTS.has(event) || 'waba_info' in value) return false;
  return !(event === 'PARTNER_REMOVED' && value.phone_number !== undefined);
};
