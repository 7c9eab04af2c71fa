import type { DomainManifest } from '../../platform/domain/domain.js';
import { route } from '../../platform/http/routes.js';
import { isWhatsApp } from '../../platform/queue/envelope.js';
import { carriesOwnership, ownershipFields } from './project.js';

export const WHATSAPP_THREAD_EVENTS = { ownerChanged: 'WhatsApp Thread Owner Changed' } as const;

/** The index of every thread by user, across phone numbers: how a person's items are found to erase them. */
export const BY_USER_INDEX = { name: 'byUser', partitionKey: 'userId', sortKey: 'phoneNumberId' } as const;

/**
 * WhatsApp conversations under Conversation Routing: who owns each thread of a business phone number, from
 * `messaging_handovers`, the `messages` that reach us (as owner), `standby` copies (someone else owns it), our own
 * `thread_control` answers and the 24-hour idle rule. Its queue receives only the ownership fields of each change
 * (`ownershipFields`); the whole change stays in passthrough as before.
 */
export const whatsappThreadsManifest = {
  name: 'whatsapp-threads',
  title: 'WhatsappThreads',
  table: {
    partitionKey: 'phoneNumberId',
    sortKey: 'userId',
    // Keys only: a thread's creation writes the index, its busy updates (every inbound message) do not.
    indexes: [{ ...BY_USER_INDEX, projection: 'keys' }],
    // Its items name people: idle ones expire, an erased user's tombstones too (docs/personal-data.md).
    personalData: true,
  },
  takes: (change) => isWhatsApp(change) && carriesOwnership(change),
  alsoPassthrough: true,
  project: ownershipFields,
  routes: [
    route('whatsappThreads.list', 'GET', '/v1/whatsapp/threads/{phoneNumberId}', 'api'),
    route('whatsappThreads.get', 'GET', '/v1/whatsapp/threads/{phoneNumberId}/{userId}', 'api'),
    // Apart from the thread (not `.../{userId}/summary`: `/./summary` would name the thread of a user `summary`).
    route('whatsappThreads.summary', 'GET', '/v1/whatsapp/summaries/{phoneNumberId}/{userId}', 'api'),
    route('whatsappThreads.pass', 'POST', '/v1/whatsapp/threads/{phoneNumberId}/{userId}/pass', 'actions'),
    route('whatsappThreads.take', 'POST', '/v1/whatsapp/threads/{phoneNumberId}/{userId}/take', 'actions'),
    route(
      'whatsappThreads.release',
      'POST',
      '/v1/whatsapp/threads/{phoneNumberId}/{userId}/release',
      'actions',
    ),
  ],
  eventTypes: Object.values(WHATSAPP_THREAD_EVENTS),
} as const satisfies DomainManifest;
