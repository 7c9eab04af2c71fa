import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseRelayDestinations,
  type RelayDestination,
  relayQueueName,
  relayQueueUrlEnv,
  relaySecretEnv,
  relayTitle,
} from '../../shared/app/relay/destinations.js';
import { destinationsFor, relayFieldOf, relayMatches } from '../../shared/app/relay/match.js';
import { parseJsonExact } from '../../shared/kernel/json.js';
import { envelopesOf } from '../support/envelopes.js';

const base = { name: 'crm', url: 'https://hooks.example.com/meta', fields: ['messages'], signing: 'own' };

const destination = (extra: Partial<RelayDestination> = {}): RelayDestination => ({
  ...(parseRelayDestinations([base], 'https')[0] as RelayDestination),
  ...extra,
});

const publicBody = (file: string): Record<string, unknown> =>
  (
    parseJsonExact(readFileSync(new URL(`../../fixtures/public/${file}.json`, import.meta.url), 'utf8')) as {
      body: Record<string, unknown>;
    }
  ).body;

describe('relay destinations (configuration)', () => {
  it('reads a destination with its defaults, and names its queue, logical IDs and variables from its name', () => {
    // Act
    const [parsed] = parseRelayDestinations(JSON.stringify([{ ...base, name: 'crm-eu' }]), 'https');
    // Assess
    expect(parsed).toEqual({
      name: 'crm-eu',
      url: 'https://hooks.example.com/meta',
      fields: ['messages'],
      signing: 'own',
      concurrency: 4,
      timeoutSeconds: 10,
      maxAttempts: 20,
    });
    expect([relayQueueName('crm-eu'), relayTitle('crm-eu'), relayQueueUrlEnv('crm-eu')]).toEqual([
      'relay:crm-eu',
      'RelayCrmEu',
      'RELAY_CRM_EU_QUEUE_URL',
    ]);
    expect(relaySecretEnv('crm-eu')).toBe('RELAY_SECRET_CRM_EU');
  });

  it('takes nothing as no destinations', () => {
    expect(parseRelayDestinations(undefined, 'https')).toEqual([]);
    expect(parseRelayDestinations('', 'https')).toEqual([]);
    expect(parseRelayDestinations('[]', 'https')).toEqual([]);
  });

  it('accepts HTTPS only in AWS; plain HTTP only to loopback in local mode', () => {
    const with_ = (url: string) => [{ ...base, url }];
    expect(() => parseRelayDestinations(with_('http://hooks.example.com/'), 'https')).toThrow(
      /must be https/,
    );
    expect(() => parseRelayDestinations(with_('http://127.0.0.1:4000/'), 'https')).toThrow(/must be https/);
    expect(parseRelayDestinations(with_('http://127.0.0.1:4000/'), 'https-or-loopback-http')).toHaveLength(1);
    expect(parseRelayDestinations(with_('http://localhost:4000/'), 'https-or-loopback-http')).toHaveLength(1);
    expect(parseRelayDestinations(with_('http://[::1]:4000/'), 'https-or-loopback-http')).toHaveLength(1);
    expect(() => parseRelayDestinations(with_('http://10.0.0.1/'), 'https-or-loopback-http')).toThrow(
      /http:\/\/ to 127.0.0.1/,
    );
    expect(() => parseRelayDestinations(with_('ftp://x.example.com/'), 'https-or-loopback-http')).toThrow();
    expect(() => parseRelayDestinations(with_('https://user:pw@x.example.com/'), 'https')).toThrow(
      /credentials/,
    );
    expect(() => parseRelayDestinations(with_('https://x.example.com/#a'), 'https')).toThrow(/fragment/);
    expect(() => parseRelayDestinations(with_('not a url'), 'https')).toThrow(/not a URL/);
  });

  it('names every problem at once, with the destination it belongs to', () => {
    // Act
    const attempt = () =>
      parseRelayDestinations(
        [
          { name: 'Bad Name', url: 'https://a.example.com', fields: [], signing: 'both', extra: 1 },
          { ...base, wabaIds: [123], concurrency: 1, timeoutSeconds: 31, maxAttempts: 0 },
        ],
        'https',
      );
    // Assess
    expect(attempt).toThrow(/destination 0: unknown key "extra"/);
    expect(attempt).toThrow(/destination 0: name must be/);
    expect(attempt).toThrow(/destination 0: fields must be/);
    expect(attempt).toThrow(/destination 0: signing must be "meta" or "own"/);
    expect(attempt).toThrow(/destination 1: wabaIds must be a non-empty list of Meta IDs/);
    expect(attempt).toThrow(/destination 1: concurrency must be a whole number from 2 to 100/);
    expect(attempt).toThrow(/destination 1: timeoutSeconds must be a whole number from 1 to 30/);
    expect(attempt).toThrow(/destination 1: maxAttempts must be a whole number from 1 to 100/);
  });

  it('refuses names that would share a queue, logical ID or variable', () => {
    expect(() => parseRelayDestinations([base, base], 'https')).toThrow(/"crm" repeats/);
    expect(() =>
      parseRelayDestinations(
        [
          { ...base, name: 'ab' },
          { ...base, name: 'a-b' },
        ],
        'https',
      ),
    ).toThrow(/"a-b" repeats/);
    for (const name of ['a--b', 'a-', '-a', '1a', 'a_b', 'x'.repeat(41)])
      expect(() => parseRelayDestinations([{ ...base, name }], 'https')).toThrow(/name must be/);
  });

  it('refuses what is not a list of destinations', () => {
    expect(() => parseRelayDestinations('{', 'https')).toThrow(/JSON array/);
    expect(() => parseRelayDestinations({ name: 'crm' }, 'https')).toThrow(/JSON array/);
    expect(() => parseRelayDestinations([1], 'https')).toThrow(/destination 0: must be an object/);
  });
});

describe('which changes a destination receives', () => {
  it('matches WhatsApp changes by field, and statuses ride in messages (Meta’s public samples)', () => {
    // Prepare
    const [statuses] = envelopesOf(publicBody('whatsapp-routing/messages-statuses-only'));
    const [standby] = envelopesOf(publicBody('whatsapp-routing/standby-inbound-message'));
    const [handover] = envelopesOf(publicBody('whatsapp-routing/control-passed-reference'));
    // Assess
    expect(statuses && relayFieldOf(statuses)).toBe('messages');
    expect(statuses && relayMatches(destination(), statuses)).toBe(true);
    expect(standby && relayMatches(destination(), standby)).toBe(false);
    expect(standby && relayMatches(destination({ fields: ['standby'] }), standby)).toBe(true);
    expect(handover && relayMatches(destination({ fields: ['messaging_handovers'] }), handover)).toBe(true);
    expect(handover && relayMatches(destination({ fields: ['*'] }), handover)).toBe(true);
  });

  it('names Messenger events by the field the app subscribes to (messages, echoes, handovers, standby)', () => {
    // Prepare
    const page = (events: unknown[], list = 'messaging') => ({
      object: 'page',
      entry: [{ id: '104508901353867', time: 1, [list]: events }],
    });
    const kinds = [
      { message: { mid: 'm', text: 'hi' } },
      { message: { mid: 'm', is_echo: true } },
      { postback: { payload: 'p' } },
      { pass_thread_control: { new_owner_app_id: '1' } },
      { read: { watermark: 1 } },
    ].map((event) => ({ sender: { id: '1' }, recipient: { id: '2' }, timestamp: 1, ...event }));
    // Act
    const fields = envelopesOf(page(kinds)).map(relayFieldOf);
    const [standby] = envelopesOf(page([kinds[0]], 'standby'));
    // Assess
    expect(fields).toEqual([
      'messages',
      'message_echoes',
      'messaging_postbacks',
      'messaging_handovers',
      'message_reads',
    ]);
    expect(standby && relayFieldOf(standby)).toBe('standby');
  });

  it('with ID lists, matches a change any of them names: WABA, business number or Page', () => {
    // Prepare
    const [message] = envelopesOf(publicBody('whatsapp-routing/messages-text-inbound'));
    const [handover] = envelopesOf(publicBody('handover/pass-thread-control'));
    if (message === undefined || handover === undefined) throw new Error('samples hold changes');
    const all = destination({ fields: ['*'] });
    // Assess
    expect(relayMatches({ ...all, wabaIds: ['102290129340398'] }, message)).toBe(true);
    expect(relayMatches({ ...all, wabaIds: ['1'] }, message)).toBe(false);
    expect(relayMatches({ ...all, phoneNumberIds: ['106540352242922'] }, message)).toBe(true);
    expect(relayMatches({ ...all, phoneNumberIds: ['1'], wabaIds: ['102290129340398'] }, message)).toBe(true);
    expect(relayMatches({ ...all, phoneNumberIds: ['106540352242922'] }, handover)).toBe(false);
    expect(relayMatches({ ...all, pageIds: [String(handover.entryId)] }, handover)).toBe(true);
    expect(relayMatches({ ...all, pageIds: ['102290129340398'] }, message)).toBe(false);
  });

  it('picks the destinations that receive any change of a delivery', () => {
    // Prepare
    const envelopes = envelopesOf(publicBody('whatsapp-routing/messages-several-in-one-delivery'));
    const crm = destination();
    const ops = destination({ name: 'ops', fields: ['account_update'] });
    // Act
    const chosen = destinationsFor([crm, ops], envelopes);
    // Assess
    expect(chosen.map(({ name }) => name)).toEqual(['crm']);
  });
});
