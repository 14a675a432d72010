import { describe, expect, it } from 'vitest';
import { decodeFailure, encodeFailure, tagSafe } from '../../../src/hold/index.js';
import type { FailureRecord } from '../../../src/hold/index.js';

const RECORD: FailureRecord = {
  hash: '0123456789abcdef',
  kind: 'circuit-breaker',
  failedAt: 1_780_000_000,
  taskDefinitionRevision: 7,
  gitRevision: '1a2b3c4d5e6f',
  consumed: { request: 'deadbeef' },
  message: 'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref web:2.0.0: not found',
};
/** What AWS accepts in a tag value. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

describe('the failure record tag', () => {
  it('round-trips, in characters every AWS tagging API accepts', () => {
    const value = encodeFailure(RECORD);
    expect(value).toMatch(TAG_VALUE);
    expect(value.length).toBeLessThanOrEqual(256 - 25);
    const decoded = decodeFailure(value);
    expect(decoded).toEqual({ ok: true, record: { ...RECORD, message: tagSafe(RECORD.message) } });
    expect(tagSafe(RECORD.message)).toBe('CannotPullContainerError: pull image manifest has been retried 7 time s : failed to resolve ref web:2.0.0: not found');
  });

  it('keeps the first 12 characters of a git revision', () => {
    const decoded = decodeFailure(encodeFailure({ ...RECORD, gitRevision: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b' }));
    expect(decoded.ok && decoded.record.gitRevision).toBe('9f86d081884c');
  });

  it('shortens a long message so the value fits in 256 characters, and keeps the fields whole', () => {
    const value = encodeFailure({ ...RECORD, message: `CannotPullContainerError: ${'x'.repeat(600)}` });
    expect(value.length).toBeLessThanOrEqual(256 - 25);
    expect(value.endsWith('...')).toBe(true);
    const decoded = decodeFailure(value);
    expect(decoded.ok && decoded.record.hash).toBe(RECORD.hash);
    expect(decoded.ok && decoded.record.message.startsWith('CannotPullContainerError: xxx')).toBe(true);
  });

  it.each([
    ['no message', 'v=1 h=0123 b=failed t=1'],
    ['an unknown field', 'v=1 h=0123 b=failed t=1 z=1 m=x'],
    ['a field twice', 'v=1 h=0123 h=0123 b=failed t=1 m=x'],
    ['another version', 'v=2 h=0123 b=failed t=1 m=x'],
    ['an unknown kind', 'v=1 h=0123 b=gremlins t=1 m=x'],
    ['a malformed hash', 'v=1 h=XYZ b=failed t=1 m=x'],
    ['a malformed time', 'v=1 h=0123 b=failed t=-5 m=x'],
    ['a malformed fingerprint', 'v=1 h=0123 b=failed t=1 c=12 m=x'],
    ['too long a value', `v=1 h=0123 b=failed t=1 m=${'x'.repeat(300)}`],
  ])('rejects %s without throwing', (_what, value) => {
    const decoded = decodeFailure(value);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.error).not.toBe('');
  });
});
