import { describe, expect, it } from 'vitest';
import { sandboxSeed, workloadServices } from '../../../bench/lib/workload.js';
import { startSandbox } from '../../../src/sandbox/sandbox.js';
import { parseSeed } from '../../../src/sandbox/core/seed.js';

describe('the bench sandbox seed', () => {
  const shape = { services: 2_500, clusters: 4 };

  it('puts every target group behind a listener rule, at most 100 rules per load balancer', () => {
    const seed = sandboxSeed(shape, {});
    expect(() => parseSeed(JSON.stringify(seed), 'bench seed')).not.toThrow();
    const { loadBalancers } = seed.elbv2 as { loadBalancers: { listeners: { rules: { forward: { targetGroup: string }[] }[] }[] }[] };
    const groups = workloadServices(shape).flatMap((service) => (service.targetGroup ? [service.targetGroup] : []));
    const rules = loadBalancers.flatMap((lb) => lb.listeners.flatMap((listener) => listener.rules));
    expect(groups).toHaveLength(250);
    expect(loadBalancers).toHaveLength(3);
    expect(loadBalancers.every((lb) => lb.listeners.every((listener) => listener.rules.length <= 100))).toBe(true);
    expect(rules.flatMap((rule) => rule.forward.map((forward) => forward.targetGroup)).sort()).toEqual([...groups].sort());
  });

  it('is accepted by the sandbox', async () => {
    const sandbox = await startSandbox({ port: 0, seed: sandboxSeed({ services: 250, clusters: 2 }, {}) });
    try {
      const groups = (await (await fetch(`${sandbox.endpoint}/_sandbox/state`)).json()) as { elbv2?: { loadBalancers?: unknown[] } };
      expect(groups.elbv2?.loadBalancers).toHaveLength(1);
    } finally {
      await sandbox.stop();
    }
  });
});
