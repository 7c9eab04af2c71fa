import { boundedText } from '../../kernel/bounds.js';
import type { DomainChange } from '../../kernel/change.js';
import { InvalidEventError } from '../../kernel/errors.js';
import {
  metadataOrNull,
  optionalId,
  requireEventTime,
  requireId,
  requireRecord,
} from '../../kernel/fields.js';
import { isRecord } from '../../kernel/json.js';
import { MAX_METADATA_LENGTH } from './input.js';
import type { AppRolesEvent, ThreadEvent } from './thread.js';

/** Apps and roles per app kept of an `app_roles` notification. */
const MAX_ROLE_APPS = 50;
const MAX_ROLES = 10;

/** Metadata as a register keeps it: within Meta's own limit for it (what was cut is said in the text). */
const boundedMetadata = (metadata: string | null): string | null =>
  metadata === null ? null : boundedText(metadata, MAX_METADATA_LENGTH);

const WEBHOOK_KINDS = {
  pass_thread_control: 'pass',
  take_thread_control: 'take',
  request_thread_control: 'request',
  pass_metadata: 'metadata',
  app_roles: 'app_roles',
} as const;

/** Handover notification (`messaging[]` or `standby[]` event) → thread or page event. */
export const decodeHandover = (envelope: DomainChange): ThreadEvent | AppRolesEvent => {
  const kind = new Map<string, (typeof WEBHOOK_KINDS)[keyof typeof WEBHOOK_KINDS]>(
    Object.entries(WEBHOOK_KINDS),
  ).get(envelope.kind);
  if (kind === undefined) throw new InvalidEventError(`not a handover notification: ${envelope.kind}`);
  const event = requireRecord(envelope.change, 'messaging event');
  // Some deliveries name the page only in `entry.id` (no `recipient`); the event's time falls back likewise.
  const pageId = requireId(isRecord(event.recipient) ? event.recipient.id : envelope.entryId, 'recipient.id');
  const rawTime = event.timestamp ?? envelope.entryTime;
  const timeMs = requireEventTime(rawTime, 'timestamp', envelope);
  // A timestamp in whole seconds (scaled) could be any instant of its second: its version says so (factVersion).
  const clock = timeMs === Number(rawTime) ? {} : { clock: 'second' as const };
  const base = { pageId, timeMs, eventId: envelope.eventId };
  const body = requireRecord(event[envelope.kind], envelope.kind);
  if (kind === 'app_roles') {
    const roles: Record<string, string[]> = {};
    // Bounded: a page has a handful of apps with a role or two each; more is not Meta's.
    for (const [appId, names] of Object.entries(body).slice(0, MAX_ROLE_APPS)) {
      const list = Array.isArray(names) ? names : [names];
      roles[requireId(appId, 'app_roles key')] = list
        .slice(0, MAX_ROLES)
        .map((name) => boundedText(String(name), 64));
    }
    return { kind, ...base, roles };
  }
  const userId = requireId(isRecord(event.sender) ? event.sender.id : undefined, 'sender.id');
  const common = {
    ...base,
    ...clock,
    userId,
    source: 'webhook' as const,
    metadata: boundedMetadata(metadataOrNull(body.metadata)),
    ...(envelope.object === 'instagram' ? { platform: 'instagram' as const } : {}),
  };
  switch (kind) {
    case 'pass':
    case 'take':
      return {
        kind,
        ...common,
        previousOwnerAppId: optionalId(body.previous_owner_app_id, `${envelope.kind}.previous_owner_app_id`),
        newOwnerAppId: optionalId(body.new_owner_app_id, `${envelope.kind}.new_owner_app_id`),
        // The earlier take_thread_control named only the previous owner: another app took control.
        ...(kind === 'take' && !('new_owner_app_id' in body) ? { ownerUnknown: true } : {}),
        expiresAt: null,
      };
    case 'request':
      return {
        kind,
        ...common,
        requestedOwnerAppId: optionalId(body.requested_owner_app_id, 'requested_owner_app_id'),
      };
    case 'metadata':
      return { kind, ...common, callerAppId: optionalId(body.caller_app_id, 'pass_metadata.caller_app_id') };
  }
};
