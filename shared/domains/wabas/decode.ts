import type { DomainChange } from '../../kernel/change.js';
import { InvalidEventError } from '../../kernel/errors.js';
import {
  idList,
  idOrNull,
  optionalId,
  requireEventTime,
  requireId,
  requireRecord,
  stringOrNull,
} from '../../kernel/fields.js';
import { isRecord } from '../../kernel/json.js';
import { namesNoWaba } from './partner-events.js';
import type { WabaChangeEvent } from './waba.js';

/**
 * `account_update` change → event (nothing Meta sent is dropped: what is not a known field stays in
 * `details`). With `waba_info` (partner events) the WABA is `waba_info.waba_id` and
 * `entry.id` is the portfolio that received the webhook: a missing or unusable `waba_id` makes the event
 * invalid, never a fallback to our own portfolio. Without it the WABA is `value.waba_id`, else `entry.id` (a
 * partner event without `waba_info` names none, but for Coexistence's removal: see `namesNoWaba`).
 */
export const decodeWabaChange = (envelope: DomainChange): WabaChangeEvent => {
  const change = requireRecord(envelope.change, 'change');
  const value = requireRecord(change.value, 'change.value');
  const event = stringOrNull(value.event);
  if (event === null || event.trim() === '') throw new InvalidEventError('change.value.event is missing');
  const info = isRecord(value.waba_info) ? value.waba_info : null;
  if (info === null && namesNoWaba(value)) {
    // Its entry.id is a portfolio, not a WABA: reading it as one would invent a WABA (the webhook routes these
    // to passthrough; this guards any other way in).
    throw new InvalidEventError(`${event} without waba_info names no WABA`);
  }
  const wabaId =
    info !== null
      ? requireId(info.waba_id, 'change.value.waba_info.waba_id')
      : value.waba_id !== undefined
        ? requireId(value.waba_id, 'change.value.waba_id')
        : requireId(envelope.entryId, 'entry.id');
  // Everything beside the event name is kept, waba_info too (AD_ACCOUNT_LINKED names the ad account there).
  const { event: _event, ...details } = value;
  const disconnection = isRecord(value.disconnection_info)
    ? value.disconnection_info
    : isRecord(info?.disconnection_info)
      ? info.disconnection_info
      : null;
  return {
    type: 'change',
    wabaId,
    event: event.trim(),
    timeMs: requireEventTime(envelope.entryTime, 'entry.time', envelope),
    eventId: envelope.eventId,
    receivedBy: info === null ? null : idOrNull(envelope.entryId),
    wabaInfo:
      info === null
        ? null
        : {
            ownerBusinessId: optionalId(info.owner_business_id, 'waba_info.owner_business_id'),
            solutionId: optionalId(info.solution_id, 'waba_info.solution_id'),
            partnerBusinessIds: idList(
              info.solution_partner_business_ids,
              'waba_info.solution_partner_business_ids',
            ),
            partnerAppId: optionalId(info.partner_app_id, 'waba_info.partner_app_id'),
          },
    disconnection:
      disconnection === null
        ? null
        : {
            reason: stringOrNull(disconnection.reason),
            initiatedBy: stringOrNull(disconnection.initiated_by),
          },
    details,
  };
};
