import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadRecordKey, RecordKey, SIGNATURE_LENGTH, signRecord, verifyRecord } from '../../../src/integrity/index.js';

const KEY = RecordKey.fromSecret('k'.repeat(40));
const SECRET = 'do-not-print-this-secret-0123456789abcdef';
const SERVICE = { resource: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web', tag: 'ecs-reconciler:rollout' };
const PAYLOAD = 'v=1 h=abc g=progressing s=1 t=100 r=100 a=0 b=0';

describe('signRecord / verifyRecord', () => {
  it('accepts what it signed and gives the payload back', () => {
    const value = signRecord(KEY, SERVICE, PAYLOAD);
    expect(value).toMatch(/^v=1 h=abc .* k=[A-Za-z0-9_-]{22}$/);
    expect(value.length).toBe(PAYLOAD.length + SIGNATURE_LENGTH);
    expect(verifyRecord(KEY, SERVICE, value)).toEqual({ ok: true, payload: PAYLOAD });
  });

  it('only uses characters every AWS tagging API accepts', () => {
    for (let i = 0; i < 200; i++) expect(signRecord(KEY, SERVICE, `p=${i}`)).toMatch(/^[A-Za-z0-9 +\-=._:/@]+$/);
  });

  it('rejects an edited payload, even by one character', () => {
    const value = signRecord(KEY, SERVICE, PAYLOAD).replace('g=progressing', 'g=promoting');
    expect(verifyRecord(KEY, SERVICE, value)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a valid record replayed onto another service, or under another tag key', () => {
    const value = signRecord(KEY, SERVICE, PAYLOAD);
    expect(verifyRecord(KEY, { ...SERVICE, resource: `${SERVICE.resource}-2` }, value)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyRecord(KEY, { ...SERVICE, tag: 'ecs-reconciler:analysis:x' }, value)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a record signed with another key', () => {
    const value = signRecord(RecordKey.generate(), SERVICE, PAYLOAD);
    expect(verifyRecord(KEY, SERVICE, value)).toEqual({ ok: false, reason: 'forged' });
  });

  it('tells an unsigned record from a forged one', () => {
    expect(verifyRecord(KEY, SERVICE, PAYLOAD)).toEqual({ ok: false, reason: 'unsigned' });
    expect(verifyRecord(KEY, SERVICE, '')).toEqual({ ok: false, reason: 'unsigned' });
    expect(verifyRecord(KEY, SERVICE, `${PAYLOAD} k=${'A'.repeat(22)}`)).toEqual({ ok: false, reason: 'forged' });
  });

  it('accepts one spelling of a MAC only', () => {
    const value = signRecord(KEY, SERVICE, PAYLOAD);
    const last = value.at(-1)!;
    // The last of 22 base64url characters carries 2 bits; its low 4 bits must be zero in the one true spelling.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variant = `${value.slice(0, -1)}${alphabet[alphabet.indexOf(last) + 1]}`;
    expect(verifyRecord(KEY, SERVICE, variant)).toEqual({ ok: false, reason: 'forged' });
  });

  it('verifies with a previous key during rotation, and signs with the new one', () => {
    const old = RecordKey.fromSecret(SECRET);
    const rotated = RecordKey.fromSecret('n'.repeat(40), [SECRET]);
    const written = signRecord(old, SERVICE, PAYLOAD);
    expect(verifyRecord(rotated, SERVICE, written)).toEqual({ ok: true, payload: PAYLOAD });
    expect(verifyRecord(old, SERVICE, signRecord(rotated, SERVICE, PAYLOAD)).ok).toBe(false);
  });
});

describe('RecordKey', () => {
  it('never shows the secret: string, JSON, inspect', () => {
    const key = RecordKey.fromSecret(SECRET);
    for (const text of [String(key), JSON.stringify({ key }), inspect(key, { showHidden: true, depth: 5 }), inspect({ key })]) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain('redacted');
    }
  });

  it('refuses a short key', () => {
    expect(() => RecordKey.fromSecret('short')).toThrow(/at least 32 characters/);
    expect(() => RecordKey.fromSecret(' '.repeat(40))).toThrow(/at least 32 characters/);
  });
});

describe('loadRecordKey', () => {
  it('reads ECS_RECONCILER_RECORD_KEY and the optional previous key', () => {
    const key = loadRecordKey({ ECS_RECONCILER_RECORD_KEY: SECRET, ECS_RECONCILER_RECORD_KEY_PREVIOUS: 'p'.repeat(32) });
    expect(verifyRecord(key, SERVICE, signRecord(RecordKey.fromSecret('p'.repeat(32)), SERVICE, PAYLOAD)).ok).toBe(true);
    expect(verifyRecord(key, SERVICE, signRecord(RecordKey.fromSecret(SECRET), SERVICE, PAYLOAD)).ok).toBe(true);
  });

  it('names the variable, never the value', () => {
    expect(() => loadRecordKey({})).toThrow(/ECS_RECONCILER_RECORD_KEY is not set/);
    let message = '';
    try {
      loadRecordKey({ ECS_RECONCILER_RECORD_KEY: 'too-short-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^ECS_RECONCILER_RECORD_KEY: .*at least 32/);
    expect(message).not.toContain('too-short-secret');
  });
});
