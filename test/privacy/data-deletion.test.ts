import { describe, expect, it } from 'vitest';
import { parseSignedRequest, signRequest } from '../../shared/app/privacy/signed-request.js';
import { type Sample, samples } from '../support/corpus.js';
import { useLocalStack } from '../support/local-stack.js';

/**
 * Meta's Data Deletion Request Callback against the public samples of `fixtures/public/data-deletion/`
 * (https://developers.facebook.com/docs/development/create-an-app/app-dashboard/data-deletion-callback): a
 * good signed_request is answered as Meta's sample code answers, a bad one is a 400 and erases nothing.
 */
const corpus = samples('data-deletion');
const requests = corpus.filter((each) => each.kind === 'callback-request');
const answer = corpus.find((each) => each.kind === 'callback-answer');
const signedRequestOf = (each: Sample) => (each.body as { signed_request: string }).signed_request;

// During a rotation the previous app secret still signs Meta's requests.
const PREVIOUS_SECRET = 'rotated-away-app-secret';
const local = useLocalStack({ env: { META_APP_SECRET_PREVIOUS: PREVIOUS_SECRET } });

const callback = (signedRequest: string, contentType = 'application/x-www-form-urlencoded') =>
  fetch(`${local.stack.url}/data-deletion`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body:
      contentType === 'application/json'
        ? JSON.stringify({ signed_request: signedRequest })
        : new URLSearchParams({ signed_request: signedRequest }).toString(),
  });

const erasuresPublished = () =>
  local.stack.events.items.filter((event) => event['detail-type'] === 'User Erased').length;

describe('the data deletion callback (POST /data-deletion)', () => {
  it('has the public samples it is tested with', () => {
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(answer).toBeDefined();
  });

  for (const each of requests.filter((request) => request.expect.answer === 'url+confirmation_code')) {
    it(`answers ${each.file} as Meta's sample code does: JSON { url, confirmation_code }`, async () => {
      // Act
      const response = await callback(signedRequestOf(each));
      const body = (await response.json()) as Record<string, unknown>;

      // Assess: the keys of Meta's answer, an alphanumeric code, a URL that reports the outcome.
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(body).sort()).toEqual(Object.keys(answer?.body as object).sort());
      expect(body.confirmation_code).toMatch(/^[A-Za-z0-9]+$/);
      expect(body.url).toBe(`${local.stack.url}/data-deletion/${String(body.confirmation_code)}`);
      const status = await fetch(String(body.url));
      const report = (await status.json()) as Record<string, unknown>;
      expect(status.status).toBe(200);
      expect(report).toMatchObject({ confirmationCode: body.confirmation_code, status: 'complete' });
      expect(JSON.stringify(report)).not.toContain(String(each.expect.userId));
      // What it could not link: an app-scoped ID names no conversation Switchboard keeps.
      expect(String((report.remaining as string[])[0])).toContain('app-scoped');
    });
  }

  for (const each of requests.filter((request) => request.expect.answer !== 'url+confirmation_code')) {
    it(`refuses ${each.file} with 400 and erases nothing`, async () => {
      // Prepare
      const before = erasuresPublished();

      // Act
      const response = await callback(signedRequestOf(each));
      const body = (await response.json()) as Record<string, unknown>;

      // Assess: a clear 4xx, and no erasure took place.
      expect(response.status).toBe(400);
      expect(body.error).toBe('bad_request');
      expect(body.message).toContain('signature');
      expect(erasuresPublished()).toBe(before);
    });
  }

  it('answers every sample the same way in order, reversed and twice', async () => {
    // Prepare
    const rounds = [...requests, ...[...requests].reverse(), ...requests, ...requests];
    const before = erasuresPublished();

    // Act
    const statuses = [];
    for (const each of rounds) statuses.push((await callback(signedRequestOf(each))).status);

    // Assess: a good request is honoured each time (a new code each time), a bad one never.
    const expected = rounds.map((each) => (each.expect.answer === 'url+confirmation_code' ? 200 : 400));
    expect(statuses).toEqual(expected);
    expect(erasuresPublished() - before).toBe(expected.filter((status) => status === 200).length);
  });

  it("refuses Meta's canvas example under its own secret: signed, but no user_id", () => {
    // Prepare
    const canvas = requests.find((each) => each.expect.appSecret === 'secret' && each.expect.userId === null);

    // Act, Assess
    expect(() => parseSignedRequest(signedRequestOf(canvas as Sample), ['secret'])).toThrow(/user_id/);
  });

  it('accepts a request signed with the previous app secret during a rotation', async () => {
    // Prepare
    const request = signRequest(
      { algorithm: 'HMAC-SHA256', issued_at: 1_700_000_000, user_id: '42' },
      PREVIOUS_SECRET,
    );

    // Act
    const response = await callback(request);

    // Assess
    expect(response.status).toBe(200);
  });

  it('takes the field as Meta posts it (form) or as JSON, and refuses a request without it', async () => {
    // Prepare
    const good = requests.find((each) => each.expect.signatureValid === true && each.expect.userId !== null);

    // Act
    const json = await callback(signedRequestOf(good as Sample), 'application/json');
    const missing = await fetch(`${local.stack.url}/data-deletion`, { method: 'POST', body: 'other=1' });

    // Assess
    expect(json.status).toBe(200);
    expect(missing.status).toBe(400);
  });

  it('a browser gets the status as a page; an unknown code is 404, a malformed one 400', async () => {
    // Prepare
    const good = requests.find((each) => each.expect.answer === 'url+confirmation_code');
    const { url } = (await (await callback(signedRequestOf(good as Sample))).json()) as { url: string };

    // Act
    const page = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    const unknown = await fetch(`${local.stack.url}/data-deletion/abc123`);
    const malformed = await fetch(`${local.stack.url}/data-deletion/abc-123`);

    // Assess
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('What remains, and until when');
    expect([unknown.status, malformed.status]).toEqual([404, 400]);
  });
});

describe('signed_request', () => {
  it('is checked over the encoded payload, with the current or the previous secret, padded or not', () => {
    // Prepare
    const request = signRequest({ algorithm: 'HMAC-SHA256', issued_at: 1, user_id: '218471' }, 'current');
    const [signature, payload] = request.split('.');

    // Act, Assess
    expect(parseSignedRequest(request, ['old', 'current']).userId).toBe('218471');
    expect(parseSignedRequest(`${signature}=.${payload}`, ['current']).userId).toBe('218471');
    expect(() => parseSignedRequest(request, ['old'])).toThrow(/signature/);
    expect(() => parseSignedRequest(`${signature}.${payload}x`, ['current'])).toThrow(/signature/);
    expect(() => parseSignedRequest(`${signature}`, ['current'])).toThrow(/<signature>.<payload>/);
  });

  it('refuses another algorithm and an old request is no reason to lose it (expires is not enforced)', () => {
    // Prepare
    const md5 = signRequest({ algorithm: 'HMAC-MD5', user_id: '1' }, 'k');
    const expired = signRequest({ algorithm: 'hmac-sha256', expires: 1291840400, user_id: '1' }, 'k');

    // Act, Assess
    expect(() => parseSignedRequest(md5, ['k'])).toThrow(/algorithm/);
    expect(parseSignedRequest(expired, ['k'])).toEqual({ userId: '1', issuedAt: null, expires: 1291840400 });
  });
});
