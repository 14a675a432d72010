import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, fingerprint, formatRequest, parseRequest } from '../../../src/rollout/index.js';
import type { RolloutRecord } from '../../../src/rollout/index.js';
import { readRecordTag, writeRecordTag } from '../../../src/rollout/state-tags.js';
import { RecordKey } from '../../../src/integrity/index.js';
import { TEST_RECORD_KEY } from '../../support/record-key.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:service/prod/web';

const RECORD: RolloutRecord = {
  hash: '3f2a9c0d1e4b5a67',
  stage: 'progressing',
  step: 3,
  stepStartedAt: 1767268800,
  startedAt: 1767268000,
  attempt: 1,
  backgroundRun: 0,
  consumed: { manifestPromote: 'deadbeef', request: '0badf00d' },
};

describe('rollout record tag', () => {
  it('round-trips and reads like key=value pairs', () => {
    const value = encodeRecord(RECORD);
    expect(value).toBe('v=1 h=3f2a9c0d1e4b5a67 g=progressing s=3 t=1767268800 r=1767268000 a=1 b=0 m=deadbeef c=0badf00d');
    expect(decodeRecord(value)).toEqual({ ok: true, record: RECORD });
  });

  it('uses only characters AWS tag values accept, and fits in 256 signed, with every field at its longest', () => {
    const longest: RolloutRecord = {
      ...RECORD,
      hash: 'f'.repeat(64),
      stage: 'finalizing',
      step: 999,
      attempt: 999,
      backgroundRun: 999,
      abortReason: 'analysis',
      consumed: { manifestPromote: 'ffffffff', manifestRetry: 'ffffffff', request: 'ffffffff' },
    };
    const value = encodeRecord(longest);
    const signed = writeRecordTag(TEST_RECORD_KEY, ARN, longest);
    expect(signed.length).toBeLessThanOrEqual(256);
    expect(signed).toMatch(/^[A-Za-z0-9 +\-=._:/@]+$/);
    expect(decodeRecord(value)).toEqual({ ok: true, record: longest });
    expect(readRecordTag(TEST_RECORD_KEY, ARN, signed)).toEqual({ ok: true, record: longest });
  });

  it.each([
    ['', /is not key=value|no version/],
    ['garbage', /is not key=value/],
    ['v=2 h=ab g=progressing s=0 t=0 r=0 a=0 b=0', /unsupported version 2/],
    ['h=ab g=progressing s=0 t=0 r=0 a=0 b=0', /no version/],
    ['v=1 h=AB! g=progressing s=0 t=0 r=0 a=0 b=0', /hash/],
    ['v=1 h=ab g=sideways s=0 t=0 r=0 a=0 b=0', /stage/],
    ['v=1 h=ab g=progressing s=-1 t=0 r=0 a=0 b=0', /s must be a whole number/],
    ['v=1 h=ab g=progressing s=0 t=0 r=0 a=0', /b must be a whole number/],
    ['v=1 h=ab g=progressing s=0 t=0 r=0 a=0 b=0 z=1', /unknown field z/],
    ['v=1 h=ab g=progressing s=0 s=1 t=0 r=0 a=0 b=0', /appears twice/],
    ['v=1 h=ab g=progressing s=0 t=0 r=0 a=0 b=0 m=xyz', /m must be 8 hex digits/],
    ['v=1 h=ab g=aborted s=0 t=0 r=0 a=0 b=0 x=bored', /abort reason/],
    ['v=1 ' + 'h=a '.repeat(70), /longer than 231/],
  ])('reports a corrupt value %j without throwing', (value, error) => {
    const decoded = decodeRecord(value);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error).toMatch(error);
  });

  it('refuses to encode a record it could not read back', () => {
    expect(() => encodeRecord({ ...RECORD, hash: 'Not-A-Hash' })).toThrow(/cannot encode rollout record: h \(hash\)/);
    expect(() => encodeRecord({ ...RECORD, step: 1.5 })).toThrow(/s must be a whole number/);
  });
});

describe('the signed rollout record', () => {
  it('is read back only with the key and the service it was signed for', () => {
    const value = writeRecordTag(TEST_RECORD_KEY, ARN, RECORD);
    expect(readRecordTag(TEST_RECORD_KEY, ARN, value)).toEqual({ ok: true, record: RECORD });
    expect(readRecordTag(TEST_RECORD_KEY, `${ARN}-2`, value)).toEqual({ ok: false, kind: 'untrusted', reason: 'forged' });
    expect(readRecordTag(RecordKey.generate(), ARN, value)).toEqual({ ok: false, kind: 'untrusted', reason: 'forged' });
    expect(readRecordTag(TEST_RECORD_KEY, ARN, encodeRecord(RECORD))).toEqual({ ok: false, kind: 'untrusted', reason: 'unsigned' });
  });

  it('is untrusted once edited in place, even by appending a field', () => {
    const value = writeRecordTag(TEST_RECORD_KEY, ARN, RECORD).replace(' k=', ' g=sideways k=');
    expect(readRecordTag(TEST_RECORD_KEY, ARN, value)).toMatchObject({ ok: false, kind: 'untrusted' });
  });

  it('in read-only mode (status without the key) reads signed and unsigned records alike, unverified', () => {
    expect(readRecordTag('read-only', ARN, writeRecordTag(TEST_RECORD_KEY, ARN, RECORD))).toEqual({ ok: true, record: RECORD });
    expect(readRecordTag('read-only', ARN, encodeRecord(RECORD))).toEqual({ ok: true, record: RECORD });
    expect(writeRecordTag('read-only', ARN, RECORD)).toBe(encodeRecord(RECORD));
  });
});

describe('operator requests', () => {
  it('fingerprints tokens stably and distinctly', () => {
    expect(fingerprint('abc')).toBe(fingerprint('abc'));
    expect(fingerprint('abc')).not.toBe(fingerprint('abd'));
    expect(fingerprint('')).toMatch(/^[0-9a-f]{8}$/);
  });

  it.each([
    ['promote:1732230000', { ok: true, verb: 'promote' }],
    ['promote-full:x', { ok: true, verb: 'promote-full' }],
    ['abort:x', { ok: true, verb: 'abort' }],
    ['retry:x', { ok: true, verb: 'retry' }],
    ['launch:x', { ok: false, error: 'unknown request verb "launch" (expected promote, promote-full, abort, retry)' }],
    ['promote', { ok: false, error: 'request "promote" is not <verb>:<token>' }],
    ['promote:', { ok: false, error: 'request "promote:" is not <verb>:<token>' }],
  ])('parses %j', (value, expected) => {
    expect(parseRequest(value)).toEqual({ ...expected, fingerprint: fingerprint(value) });
  });

  it('formats requests with tag-safe tokens only', () => {
    expect(formatRequest('abort', '2026-01-01T12:00:00Z')).toBe('abort:2026-01-01T12:00:00Z');
    expect(() => formatRequest('abort', 'no spaces')).toThrow(/must be 1-200 of/);
  });
});
