/**
 * The failure record of a Rolling or Native service, kept in one service tag beside the rollout record, so a
 * restarted controller or a new leader holds the failed revision too.
 *
 * Encoding (version 1), space-separated `key=value` pairs, then the message, which runs to the end of the value:
 *   v=1 h=<revisionHash> b=<kind> t=<failedAt> [n=<taskDefinitionRevision>] [g=<gitRevision>] [c=<fp>] [y=<fp>] m=<message>
 * `t` is epoch seconds; `c` (the request tag) and `y` (the manifest's retry token) are the fingerprints of the retry
 * requests that were already there when the revision failed, so only a new request retries. Every character is one
 * that AWS's tagging APIs accept, and the whole value, with the controller's signature (src/integrity), fits in
 * their 256 characters (the message is shortened).
 */
import { SIGNATURE_LENGTH } from '../integrity/index.js';

export const FAILURE_TAG = 'ecs-reconciler:failed';
export const FAILURE_RECORD_VERSION = 1;
const TAG_VALUE_LIMIT = 256;
/** The unsigned record's limit: a signature is appended to it. */
const PAYLOAD_LIMIT = TAG_VALUE_LIMIT - SIGNATURE_LENGTH;

/**
 * Who failed the revision: the ECS deployment circuit breaker or a CloudWatch alarm rolled it back, ECS marked
 * the deployment FAILED without rolling back, or it did not complete within `progressDeadlineSeconds`.
 */
export type FailureKind = 'circuit-breaker' | 'alarm' | 'failed' | 'deadline';
export const FAILURE_KINDS: readonly FailureKind[] = ['circuit-breaker', 'alarm', 'failed', 'deadline'];

export interface FailureRecord {
  /** The desired revision's hash (see `revisionHash`): the hold lasts while git still wants this revision. */
  hash: string;
  kind: FailureKind;
  failedAt: number;
  /** The revision number of the task definition that failed, when known. */
  taskDefinitionRevision?: number;
  /** The desired-state revision (git commit) the failure happened at. */
  gitRevision?: string;
  /** Retry requests already present when it failed. */
  consumed: { request?: string; manifestRetry?: string };
  /** What a person can act on: ECS's reason and the stopped reason of a failed task. */
  message: string;
}

export type DecodedFailure = { ok: true; record: FailureRecord } | { ok: false; error: string };

const HASH = /^[0-9a-f]{1,64}$/;
const FINGERPRINT = /^[0-9a-f]{8}$/;
const WHOLE = /^(0|[1-9]\d{0,11})$/;
const GIT = /^[A-Za-z0-9:._-]{1,64}$/;
/** Characters AWS tag values accept: letters, digits, whitespace and `_ . : / = + - @`. */
const NOT_TAG_SAFE = /[^\p{L}\p{N} _.:/=+\-@]+/gu;

/** Text made tag-safe: other characters become a space, runs of spaces one. */
export function tagSafe(text: string): string {
  return text.replace(NOT_TAG_SAFE, ' ').replace(/\s+/g, ' ').trim();
}

export function encodeFailure(record: FailureRecord): string {
  const pairs: [string, string | number | undefined][] = [
    ['v', FAILURE_RECORD_VERSION],
    ['h', record.hash],
    ['b', record.kind],
    ['t', record.failedAt],
    ['n', record.taskDefinitionRevision],
    ['g', record.gitRevision === undefined ? undefined : shortRevision(record.gitRevision)],
    ['c', record.consumed.request],
    ['y', record.consumed.manifestRetry],
  ];
  const head = pairs
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  const room = PAYLOAD_LIMIT - head.length - ' m='.length;
  const message = tagSafe(record.message);
  const value = `${head} m=${message.length > room ? `${message.slice(0, Math.max(0, room - 3))}...` : message}`;
  const check = decodeFailure(value);
  if (!check.ok) throw new Error(`cannot encode failure record: ${check.error}`);
  return value;
}

/** A git revision as its first 12 characters, like `git log --oneline` (a content hash loses its `sha256:`). */
function shortRevision(revision: string): string {
  return tagSafe(revision.replace(/^sha256:/, '')).replace(/ /g, '').slice(0, 12) || '-';
}

/** Never throws: a value that is not a valid version-1 record is reported with the reason. */
export function decodeFailure(value: string): DecodedFailure {
  if (value.length > PAYLOAD_LIMIT) return { ok: false, error: `longer than ${PAYLOAD_LIMIT} characters` };
  const at = value.indexOf(' m=');
  if (at < 0) return { ok: false, error: 'no message (m=)' };
  const fields = new Map<string, string>();
  for (const pair of value.slice(0, at).trim().split(/ +/)) {
    const eq = pair.indexOf('=');
    if (eq !== 1) return { ok: false, error: `"${pair}" is not key=value` };
    const key = pair.slice(0, 1);
    if (fields.has(key)) return { ok: false, error: `"${key}" appears twice` };
    if (!'vhbtngcy'.includes(key)) return { ok: false, error: `unknown field ${key}` };
    fields.set(key, pair.slice(2));
  }
  if (fields.get('v') !== String(FAILURE_RECORD_VERSION)) {
    return { ok: false, error: fields.has('v') ? `unsupported version ${fields.get('v')}` : 'no version' };
  }
  const hash = fields.get('h');
  if (hash === undefined || !HASH.test(hash)) return { ok: false, error: 'h (revision hash) missing or malformed' };
  const kind = fields.get('b') as FailureKind | undefined;
  if (kind === undefined || !FAILURE_KINDS.includes(kind)) return { ok: false, error: `b (failed by) must be one of ${FAILURE_KINDS.join(', ')}` };
  const failedAt = fields.get('t');
  if (failedAt === undefined || !WHOLE.test(failedAt)) return { ok: false, error: 't must be a whole number' };
  const revision = fields.get('n');
  if (revision !== undefined && !WHOLE.test(revision)) return { ok: false, error: 'n must be a whole number' };
  const git = fields.get('g');
  if (git !== undefined && !GIT.test(git)) return { ok: false, error: 'g (git revision) is malformed' };
  const consumed: FailureRecord['consumed'] = {};
  for (const [key, name] of [['c', 'request'], ['y', 'manifestRetry']] as const) {
    const fp = fields.get(key);
    if (fp === undefined) continue;
    if (!FINGERPRINT.test(fp)) return { ok: false, error: `${key} must be 8 hex digits` };
    consumed[name] = fp;
  }
  return {
    ok: true,
    record: {
      hash,
      kind,
      failedAt: Number(failedAt),
      ...(revision !== undefined ? { taskDefinitionRevision: Number(revision) } : {}),
      ...(git !== undefined ? { gitRevision: git } : {}),
      consumed,
      message: value.slice(at + ' m='.length),
    },
  };
}
