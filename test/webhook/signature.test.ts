import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../shared/platform/http/signature.js';

const SECRET = 'app-secret';
const BODY = Buffer.from('{"object":"page","entry":[{"id":"1","text":"héllo 👋 \\u00e9"}]}', 'utf8');
const valid = signBody(BODY, SECRET);

describe('verifySignature', () => {
  it('accepts the HMAC-SHA256 of the raw bytes, in either hex case', () => {
    expect(verifySignature(BODY, valid, [SECRET])).toBe(true);
    expect(verifySignature(BODY, `sha256=${valid.slice(7).toUpperCase()}`, [SECRET])).toBe(true);
  });

  it('accepts the previous secret during rotation', () => {
    expect(verifySignature(BODY, signBody(BODY, 'old-secret'), [SECRET, 'old-secret'])).toBe(true);
  });

  it.each([
    ['missing header', undefined],
    ['empty header', ''],
    ['wrong secret', signBody(BODY, 'other')],
    ['sha1 prefix', `sha1=${createHmac('sha1', SECRET).update(BODY).digest('hex')}`],
    ['sha1 prefix with a sha256 digest', `sha1=${valid.slice(7)}`],
    ['no prefix', valid.slice(7)],
    ['odd length', valid.slice(0, -1)],
    ['too long', `${valid}00`],
    ['non-hex', `sha256=${'zz'.repeat(32)}`],
    ['multibyte', `sha256=${'é'.repeat(64)}`],
    ['one flipped digit', `${valid.slice(0, -1)}${valid.endsWith('0') ? '1' : '0'}`],
    ['surrounding spaces', ` ${valid} `],
  ])('refuses %s without throwing', (_name, header) => {
    expect(verifySignature(BODY, header, [SECRET])).toBe(false);
  });

  it('refuses a flipped body byte and a re-serialized body', () => {
    const flipped = Buffer.from(BODY);
    flipped[5] = (flipped[5] ?? 0) ^ 1;
    expect(verifySignature(flipped, valid, [SECRET])).toBe(false);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(BODY.toString('utf8'))), 'utf8');
    expect(reserialized.equals(BODY)).toBe(false);
    expect(verifySignature(reserialized, valid, [SECRET])).toBe(false);
  });

  it('refuses everything when no secret is configured', () => {
    expect(verifySignature(BODY, signBody(BODY, ''), [''])).toBe(false);
  });
});
