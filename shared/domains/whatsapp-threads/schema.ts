import type { JsonSchema } from '../../platform/domain/domain.js';
import { detail, metaId, nullable } from '../../platform/events/schema.js';
import { WHATSAPP_THREAD_EVENTS } from './manifest.js';

const role = nullable('string');
const epochMs: JsonSchema = { type: ['integer', 'null'] };

/** The `detail` of each WhatsApp threads event. */
export const whatsappThreadSchemas: Record<string, JsonSchema> = {
  [WHATSAPP_THREAD_EVENTS.ownerChanged]: detail({
    phoneNumberId: metaId,
    // A phone number (digits) or a business-scoped user ID (letters, digits and dots).
    userId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9.]{0,255}$' },
    // `us`, a role (`escalation`, `ai_agent`, ...), `other`, or null (released, or our call's outcome unknown).
    owner: role,
    previousOwner: role,
    ownerSince: epochMs,
    lastCustomerMessageAt: epochMs,
    cause: {
      enum: [
        'control_passed',
        'control_taken',
        'message',
        'standby_message',
        'standby_echo',
        'pass',
        'take',
        'release',
        'unknown',
      ],
    },
    lastHandover: {
      type: ['object', 'null'],
      required: ['type', 'previousOwnerRole', 'newOwnerRole'],
      additionalProperties: false,
      properties: {
        type: { enum: ['control_passed', 'control_taken', 'pass', 'take', 'release'] },
        previousOwnerRole: role,
        newOwnerRole: role,
      },
    },
  }),
};
