/**
 * Authenticated records in AWS tags. Anyone allowed to call TagResource can write any tag value, so a record the
 * controller keeps in a tag (its rollout position, an analysis run, a failed revision...) is only obeyed when it
 * carries a MAC made with a key that only the controller holds.
 *
 * Signed value: `<payload> k=<mac>`, mac = the first 128 bits of HMAC-SHA256, base64url (22 characters, all of them
 * accepted in ECS and ELBv2 tag values). The MAC covers a domain label, the resource ARN, the tag key and the
 * payload, so a valid record cannot be replayed onto another resource or under another tag key. It does not stop a
 * record being written back later onto the same resource and key (see docs/rollouts.md, "Record integrity").
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { inspect } from 'node:util';

/** The key's environment variable (in AWS, a Secrets Manager secret injected as a container secret). */
export const RECORD_KEY_ENV = 'ECS_RECONCILER_RECORD_KEY';
/** An earlier key that still verifies (never signs), while records written with it are rewritten: key rotation. */
export const PREVIOUS_RECORD_KEY_ENV = 'ECS_RECONCILER_RECORD_KEY_PREVIOUS';
export const MIN_RECORD_KEY_LENGTH = 32;

const DOMAIN = 'ecs-reconciler/record/v1';
const MAC_BYTES = 16;
const MAC_TEXT = 22;
const MARK = ' k=';
/** What signing adds to a payload: a payload must leave this much room under AWS's 256-character tag value limit. */
export const SIGNATURE_LENGTH = MARK.length + MAC_TEXT;
const SIGNED = new RegExp(`^([\\s\\S]*)${MARK}([A-Za-z0-9_-]{${MAC_TEXT}})$`);

/** Which record a MAC is for: the resource it is tagged on and the tag key. */
export interface RecordSubject {
  resource: string;
  tag: string;
}

/** The controller's signing key. Opaque: it prints, logs and serialises as `[redacted]`. */
export class RecordKey {
  /** The signing key first, then keys that only verify. */
  readonly #keys: readonly KeyObject[];

  private constructor(signing: KeyObject, previous: readonly KeyObject[]) {
    this.#keys = [signing, ...previous];
  }

  /** `secret` is used as given (UTF-8); it must have at least 32 characters. `previous` keys only verify. */
  static fromSecret(secret: string, previous: readonly string[] = []): RecordKey {
    const toKey = (text: string, what: string): KeyObject => {
      if (text.trim().length < MIN_RECORD_KEY_LENGTH) throw new Error(`${what} must have at least ${MIN_RECORD_KEY_LENGTH} characters`);
      return createSecretKey(Buffer.from(text, 'utf8'));
    };
    return new RecordKey(toKey(secret, 'the record key'), previous.map((text) => toKey(text, 'the previous record key')));
  }

  /** A fresh random key: `dev` and the sandbox use one per process. */
  static generate(): RecordKey {
    return RecordKey.fromSecret(randomBytes(32).toString('base64url'));
  }

  /** @internal the MACs of `message` under the signing key, then each previous key. */
  macs(message: string): Buffer[] {
    return this.#keys.map((key) => createHmac('sha256', key).update(message, 'utf8').digest().subarray(0, MAC_BYTES));
  }

  toString(): string {
    return 'RecordKey([redacted])';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * The key from the environment: ECS_RECONCILER_RECORD_KEY (required) and ECS_RECONCILER_RECORD_KEY_PREVIOUS
 * (optional). Errors name the variable, never its value.
 */
export function loadRecordKey(env: Readonly<Record<string, string | undefined>> = process.env): RecordKey {
  const secret = env[RECORD_KEY_ENV];
  if (secret === undefined || secret === '') {
    throw new Error(`${RECORD_KEY_ENV} is not set: the controller signs the records it keeps in AWS tags with it (docs/operations.md, "Record key")`);
  }
  const previous = env[PREVIOUS_RECORD_KEY_ENV];
  try {
    return RecordKey.fromSecret(secret, previous ? [previous] : []);
  } catch (error) {
    throw new Error(`${RECORD_KEY_ENV}: ${(error as Error).message}`);
  }
}

function message(subject: RecordSubject, payload: string): string {
  return [DOMAIN, subject.resource, subject.tag, payload].join('\0');
}

/** The tag value carrying `payload` and its MAC for `subject`. */
export function signRecord(key: RecordKey, subject: RecordSubject, payload: string): string {
  const [mac] = key.macs(message(subject, payload));
  return `${payload}${MARK}${mac!.toString('base64url')}`;
}

export type VerifiedRecord =
  | { ok: true; payload: string }
  /** `unsigned`: no MAC at all (written before signing existed, or by hand); `forged`: a MAC that does not match. */
  | { ok: false; reason: 'unsigned' | 'forged' };

/** Never throws. A record that is not `ok` must not be obeyed, and must never be re-signed. */
export function verifyRecord(key: RecordKey, subject: RecordSubject, value: string): VerifiedRecord {
  const signed = SIGNED.exec(value);
  if (!signed) return { ok: false, reason: 'unsigned' };
  const payload = signed[1]!;
  const given = Buffer.from(signed[2]!, 'base64url');
  // One MAC has one spelling: a re-encoded variant of a valid MAC is not accepted either.
  if (given.length !== MAC_BYTES || given.toString('base64url') !== signed[2]) return { ok: false, reason: 'forged' };
  const matches = key.macs(message(subject, payload)).some((expected) => timingSafeEqual(expected, given));
  return matches ? { ok: true, payload } : { ok: false, reason: 'forged' };
}

/**
 * How a reader checks records: with the controller's key, or `read-only` (`status` run without the key: it sends
 * nothing, so it shows records unverified; the values it would write are unsigned and never sent).
 */
export type RecordKeyring = RecordKey | 'read-only';

/** verifyRecord, or in read-only mode the payload with any signature stripped and unchecked. */
export function verifyWith(keyring: RecordKeyring, subject: RecordSubject, value: string): VerifiedRecord {
  if (keyring !== 'read-only') return verifyRecord(keyring, subject, value);
  return { ok: true, payload: SIGNED.exec(value)?.[1] ?? value };
}

/** signRecord, or in read-only mode the payload as is. */
export function signWith(keyring: RecordKeyring, subject: RecordSubject, payload: string): string {
  return keyring === 'read-only' ? payload : signRecord(keyring, subject, payload);
}

/** The sentence status and logs use for a record that failed verification. */
export function describeUnverified(reason: 'unsigned' | 'forged'): string {
  return reason === 'unsigned' ? 'carries no signature (written by hand, or before records were signed)' : 'has a signature that does not match (forged, or signed with another key)';
}
