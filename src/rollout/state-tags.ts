/**
 * The rollout record in one service tag, and operator requests in another.
 *
 * Encoding (version 1), space-separated `key=value` pairs, only characters every AWS tagging API accepts:
 *   v=1 h=<hash> g=<stage> s=<step> t=<stepStartedAt> r=<startedAt> a=<attempt> b=<backgroundRun> [x=<abortReason>] [m=<fp>] [y=<fp>] [c=<fp>]
 * Times are epoch seconds; fingerprints (m manifest promote, y manifest retry, c CLI request) are 8 hex digits.
 * The longest value (64-character hash, all fingerprints) stays well under AWS's 256-character limit, signature
 * included: the tag holds `signRecord(key, {service ARN, ROLLOUT_TAG}, encoding)` (src/integrity), and a value that
 * fails verification is never decoded into a record (see readRecordTag).
 */
import { describeUnverified, SIGNATURE_LENGTH, signWith, verifyWith } from '../integrity/index.js';
import type { RecordKeyring, RecordSubject } from '../integrity/index.js';
import type { AbortReason, RolloutRecord, RolloutStage } from './types.js';
import { ROLLOUT_TAG } from './types.js';

export const RECORD_VERSION = 1;
/** AWS's limit on a tag value, less the signature. */
export const TAG_VALUE_LIMIT = 256 - SIGNATURE_LENGTH;

const STAGES: readonly RolloutStage[] = ['progressing', 'promoting', 'verifying', 'finalizing', 'aborted'];
const ABORT_REASONS: readonly AbortReason[] = ['operator', 'deadline', 'analysis', 'missing'];
const HASH = /^[0-9a-z]{1,64}$/;
const FINGERPRINT = /^[0-9a-f]{8}$/;
const WHOLE = /^(0|[1-9]\d{0,11})$/;

export type DecodedRecord = { ok: true; record: RolloutRecord } | { ok: false; error: string };

export function encodeRecord(record: RolloutRecord): string {
  const pairs: [string, string | number | undefined][] = [
    ['v', RECORD_VERSION],
    ['h', record.hash],
    ['g', record.stage],
    ['s', record.step],
    ['t', record.stepStartedAt],
    ['r', record.startedAt],
    ['a', record.attempt],
    ['b', record.backgroundRun],
    ['x', record.abortReason],
    ['m', record.consumed.manifestPromote],
    ['y', record.consumed.manifestRetry],
    ['c', record.consumed.request],
  ];
  const value = pairs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const check = decodeRecord(value);
  if (!check.ok) throw new Error(`cannot encode rollout record: ${check.error}`);
  return value;
}

/** Never throws: a value that is not a valid version-1 record is reported with the reason. */
export function decodeRecord(value: string): DecodedRecord {
  if (value.length > TAG_VALUE_LIMIT) return { ok: false, error: `longer than ${TAG_VALUE_LIMIT} characters` };
  const fields = new Map<string, string>();
  for (const pair of value.trim().split(/ +/)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { ok: false, error: `"${pair}" is not key=value` };
    const key = pair.slice(0, eq);
    if (fields.has(key)) return { ok: false, error: `"${key}" appears twice` };
    fields.set(key, pair.slice(eq + 1));
  }
  if (fields.get('v') !== String(RECORD_VERSION)) {
    return { ok: false, error: fields.has('v') ? `unsupported version ${fields.get('v')}` : 'no version' };
  }
  const unknown = [...fields.keys()].filter((key) => !'vhgstrabxmyc'.includes(key) || key.length !== 1);
  if (unknown.length > 0) return { ok: false, error: `unknown field ${unknown.join(', ')}` };

  const hash = fields.get('h');
  if (hash === undefined || !HASH.test(hash)) return { ok: false, error: 'h (hash) missing or malformed' };
  const stage = fields.get('g') as RolloutStage | undefined;
  if (stage === undefined || !STAGES.includes(stage)) return { ok: false, error: `g (stage) must be one of ${STAGES.join(', ')}` };
  const numbers: Record<string, number> = {};
  for (const key of ['s', 't', 'r', 'a', 'b']) {
    const text = fields.get(key);
    if (text === undefined || !WHOLE.test(text)) return { ok: false, error: `${key} must be a whole number` };
    numbers[key] = Number(text);
  }
  const abortReason = fields.get('x') as AbortReason | undefined;
  if (abortReason !== undefined && !ABORT_REASONS.includes(abortReason)) return { ok: false, error: `x (abort reason) must be one of ${ABORT_REASONS.join(', ')}` };
  const consumed: RolloutRecord['consumed'] = {};
  for (const [key, name] of [['m', 'manifestPromote'], ['y', 'manifestRetry'], ['c', 'request']] as const) {
    const fp = fields.get(key);
    if (fp === undefined) continue;
    if (!FINGERPRINT.test(fp)) return { ok: false, error: `${key} must be 8 hex digits` };
    consumed[name] = fp;
  }
  return {
    ok: true,
    record: {
      hash,
      stage,
      step: numbers.s ?? 0,
      stepStartedAt: numbers.t ?? 0,
      startedAt: numbers.r ?? 0,
      attempt: numbers.a ?? 0,
      backgroundRun: numbers.b ?? 0,
      ...(abortReason ? { abortReason } : {}),
      consumed,
    },
  };
}

export type ReadRecord =
  | { ok: true; record: RolloutRecord }
  | { ok: false; kind: 'unreadable'; error: string }
  | { ok: false; kind: 'untrusted'; reason: 'unsigned' | 'forged' };

export function rolloutSubject(serviceArn: string): RecordSubject {
  return { resource: serviceArn, tag: ROLLOUT_TAG };
}

/** The rollout record of a service from its tag value. Never throws. */
export function readRecordTag(keyring: RecordKeyring, serviceArn: string, value: string): ReadRecord {
  const verified = verifyWith(keyring, rolloutSubject(serviceArn), value);
  if (!verified.ok) return { ok: false, kind: 'untrusted', reason: verified.reason };
  const decoded = decodeRecord(verified.payload);
  return decoded.ok ? decoded : { ok: false, kind: 'unreadable', error: decoded.error };
}

export function writeRecordTag(keyring: RecordKeyring, serviceArn: string, record: RolloutRecord): string {
  return signWith(keyring, rolloutSubject(serviceArn), encodeRecord(record));
}

/** Why a record tag is not obeyed, in words. */
export function describeRejected(read: Extract<ReadRecord, { ok: false }>): string {
  return read.kind === 'unreadable' ? `is unreadable (${read.error})` : describeUnverified(read.reason);
}

/** FNV-1a (32 bit): a token's short, stable fingerprint, so any token fits in the record. */
export function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(token)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export type RequestVerb = 'promote' | 'promote-full' | 'abort' | 'retry';
const VERBS: readonly RequestVerb[] = ['promote', 'promote-full', 'abort', 'retry'];

export type ParsedRequest = { ok: true; verb: RequestVerb; fingerprint: string } | { ok: false; error: string; fingerprint: string };

/** `<verb>:<token>` from the request tag. A malformed value is reported (and consumed) rather than guessed at. */
export function parseRequest(value: string): ParsedRequest {
  const colon = value.indexOf(':');
  const verb = (colon > 0 ? value.slice(0, colon) : value) as RequestVerb;
  const fp = fingerprint(value);
  if (colon <= 0 || colon === value.length - 1) return { ok: false, error: `request "${value}" is not <verb>:<token>`, fingerprint: fp };
  if (!VERBS.includes(verb)) return { ok: false, error: `unknown request verb "${verb}" (expected ${VERBS.join(', ')})`, fingerprint: fp };
  return { ok: true, verb, fingerprint: fp };
}

/** The request tag value the CLI writes; tokens use only tag-safe characters. */
export function formatRequest(verb: RequestVerb, token: string): string {
  if (!/^[A-Za-z0-9+\-=._:/@]{1,200}$/.test(token)) throw new Error(`request token "${token}" must be 1-200 of A-Z a-z 0-9 + - = . _ : / @`);
  return `${verb}:${token}`;
}
