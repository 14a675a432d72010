/**
 * Secrets Manager references of Notification URLs, read with GetSecretValue and kept for a few minutes: one read
 * per secret per TTL, however many decisions are sent, and a rotated secret is picked up within the TTL. A read
 * that fails is not kept, so the delivery's retry reads again.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../controller/time.js';

export const SECRET_TTL_MS = 5 * 60_000;

export type SecretReader = (secretId: string, signal: AbortSignal) => Promise<string>;

/** GetSecretValue's SecretString. */
export function secretsManagerReader(client: Pick<SecretsManagerClient, 'send'>): SecretReader {
  return async (secretId, signal) => {
    const { SecretString: value } = await client.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: signal });
    if (value === undefined) throw new Error(`secret ${secretId} has no SecretString`);
    return value;
  };
}

export class SecretCache {
  private readonly values = new Map<string, { value: string; readAt: number }>();

  constructor(
    private readonly read: SecretReader,
    private readonly clock: Clock,
    private readonly ttlMs: number = SECRET_TTL_MS,
  ) {}

  async get(secretId: string, signal: AbortSignal): Promise<string> {
    const now = this.clock.now();
    const kept = this.values.get(secretId);
    if (kept && now - kept.readAt < this.ttlMs) return kept.value;
    const value = await this.read(secretId, signal);
    this.values.set(secretId, { value, readAt: now });
    return value;
  }
}

/** The URL in a secret: the whole string, or one key of a JSON object. Errors never contain the secret. */
export function urlInSecret(secretId: string, value: string, jsonKey: string | undefined): string {
  if (jsonKey === undefined) return value.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`secret ${secretId} is not a JSON object, so it has no key ${jsonKey}`);
  }
  const url = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[jsonKey] : undefined;
  if (typeof url !== 'string' || url === '') throw new Error(`secret ${secretId} has no string key ${jsonKey}`);
  return url;
}
