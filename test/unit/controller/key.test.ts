import { describe, expect, it } from 'vitest';
import { parseServiceKey, serviceKey } from '../../../src/controller/key.js';

describe('service keys', () => {
  it('round-trips cluster and service', () => {
    expect(serviceKey({ cluster: 'prod', service: 'checkout' })).toBe('prod/checkout');
    expect(parseServiceKey('prod/checkout')).toEqual({ cluster: 'prod', service: 'checkout' });
  });

  it.each(['checkout', 'prod/', '/checkout', 'a/b/c', ''])('rejects the malformed key %j', (key) => {
    expect(() => parseServiceKey(key)).toThrow(/expected "cluster\/service"/);
  });

  it('rejects names that would make the key ambiguous', () => {
    expect(() => serviceKey({ cluster: 'arn:aws:ecs:us-east-1:1:cluster/prod', service: 'checkout' })).toThrow(/cluster name/);
    expect(() => serviceKey({ cluster: 'prod', service: '' })).toThrow(/service name/);
  });
});
