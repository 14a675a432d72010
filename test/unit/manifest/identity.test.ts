import { describe, expect, it } from 'vitest';
import { clusterName, parseServiceKey, serviceKey } from '../../../src/manifest/identity.js';

describe('service keys', () => {
  it('round-trips cluster and service', () => {
    expect(serviceKey('prod', 'checkout')).toBe('prod/checkout');
    expect(parseServiceKey('prod/checkout')).toEqual({ cluster: 'prod', service: 'checkout' });
  });

  it('reduces a cluster ARN to its name, so both spellings give one key', () => {
    expect(clusterName('arn:aws:ecs:us-east-1:123456789012:cluster/prod')).toBe('prod');
    expect(clusterName('prod')).toBe('prod');
    expect(serviceKey('arn:aws:ecs:us-east-1:123456789012:cluster/prod', 'checkout')).toBe('prod/checkout');
  });

  it.each(['checkout', 'prod/', '/checkout', 'a/b/c', ''])('rejects the malformed key %j', (key) => {
    expect(() => parseServiceKey(key)).toThrow(/expected "cluster\/service"/);
  });

  it('names even a rejected document\'s service, which parseServiceKey then refuses', () => {
    expect(serviceKey('prod', 'a/b')).toBe('prod/a/b');
    expect(() => parseServiceKey(serviceKey('prod', 'a/b'))).toThrow(/expected "cluster\/service"/);
  });
});
