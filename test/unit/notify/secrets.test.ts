import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretCache, secretsManagerReader } from '../../../src/notify/index.js';
import { urlInSecret } from '../../../src/notify/secrets.js';

const signal = new AbortController().signal;

describe('Secrets Manager references', () => {
  it('reads a secret once per TTL, and again once it expired (a rotation is picked up)', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'https://one' }).resolves({ SecretString: 'https://two' });
    let now = 0;
    const cache = new SecretCache(secretsManagerReader(new SecretsManagerClient({ region: 'us-east-1' })), { now: () => now }, 1000);
    expect(await cache.get('hooks', signal)).toBe('https://one');
    now = 999;
    expect(await cache.get('hooks', signal)).toBe('https://one');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now = 1000;
    expect(await cache.get('hooks', signal)).toBe('https://two');
    expect(sm.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: 'hooks' }, { SecretId: 'hooks' }]);
  });

  it('keeps no failed read: the next attempt reads again', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).rejectsOnce(new Error('AccessDeniedException: not allowed')).resolves({ SecretString: 'https://ok' });
    const cache = new SecretCache(secretsManagerReader(new SecretsManagerClient({ region: 'us-east-1' })), { now: () => 0 });
    await expect(cache.get('hooks', signal)).rejects.toThrow('AccessDeniedException');
    expect(await cache.get('hooks', signal)).toBe('https://ok');
  });

  it('takes the whole string or one key of a JSON secret, and never echoes the secret in an error', () => {
    expect(urlInSecret('hooks', ' https://a \n', undefined)).toBe('https://a');
    expect(urlInSecret('hooks', '{"slack": "https://b"}', 'slack')).toBe('https://b');
    expect(() => urlInSecret('hooks', 'https://secret-token', 'slack')).toThrow('secret hooks is not a JSON object, so it has no key slack');
    expect(() => urlInSecret('hooks', '{"other": "https://secret-token"}', 'slack')).toThrow('secret hooks has no string key slack');
  });
});
