import { describe, expect, it } from 'vitest';
import { observeRolloutState, resolveRolloutTarget, summarizeHealth, versionHash } from '../../../src/rollout/index.js';
import type { ServiceManifest } from '../../../src/manifest/schema.js';
import type { ObservedService } from '../../../src/observe/types.js';

const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/0123456789abcdef/0123456789abcdef/0123456789abcdef';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/0123456789abcdef';
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/0123456789abcdef';

function manifest(rollout: unknown): ServiceManifest {
  return {
    apiVersion: 'ecs-reconciler/v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: {
      cluster: 'prod',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      taskDefinition: { family: 'web', containerDefinitions: [{ name: 'app', image: 'web:1' }] },
      loadBalancer: { containerName: 'app', containerPort: 8080, targetGroup: 'blue' },
      rollout,
    },
  } as ServiceManifest;
}

const names: Record<string, string> = { blue: BLUE, green: GREEN };
const resolve = (m: ServiceManifest) =>
  resolveRolloutTarget({ manifest: m, serviceArn: 'arn:svc', key: 'prod/web', targetGroupArn: (ref) => names[ref] ?? (ref.startsWith('arn:') ? ref : undefined), version: { hash: 'abc', taskDefinition: 'arn:td' } });

describe('resolving the manifest', () => {
  it('turns a canary block into steps with seconds and target group ARNs', () => {
    const t = resolve(
      manifest({
        strategy: 'Canary',
        canary: { stableTargetGroup: 'blue', canaryTargetGroup: GREEN, listenerRule: RULE, steps: [{ setWeight: 10 }, { pause: { duration: '5m' } }, { pause: {} }, { setCanaryScale: { replicas: 2 } }], analysis: { templates: ['bg'] } },
        operator: { promote: 't1' },
      }),
    );
    expect(t.strategy).toMatchObject({
      kind: 'Canary',
      traffic: { targetGroups: [BLUE, GREEN], listenerRuleArn: RULE },
      steps: [{ type: 'setWeight', weight: 10 }, { type: 'pause', seconds: 300 }, { type: 'pause' }, { type: 'setCanaryScale', scale: { replicas: 2 } }],
      backgroundAnalysis: { templates: ['bg'], startingStep: 0 },
      progressDeadlineSeconds: 600,
    });
    expect(t.taskSet).toEqual({ containerName: 'app', containerPort: 8080, launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } });
    expect(t.operator).toEqual({ promote: 't1' });
  });

  it('says what is wrong', () => {
    expect(() => resolve(manifest({ strategy: 'Rolling' }))).toThrow('prod/web: not a Canary or BlueGreen service');
    expect(() => resolve(manifest({ strategy: 'Canary', canary: { stableTargetGroup: 'blue', canaryTargetGroup: 'nope', listenerRule: RULE, steps: [{ setWeight: 1 }] } }))).toThrow('prod/web: target group nope does not exist');
  });
});

describe('version hash', () => {
  it('ignores key order and undefined fields, and changes with content', () => {
    expect(versionHash({ a: 1, b: { c: [1, 2], d: undefined } })).toBe(versionHash({ b: { c: [1, 2] }, a: 1 }));
    expect(versionHash({ a: 1 })).not.toBe(versionHash({ a: 2 }));
    expect(versionHash({ a: 1 })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('observation from the observed-state cache', () => {
  it('maps task sets, rules and target health', () => {
    const service = {
      desiredCount: 4,
      tags: { k: 'v' },
      taskSets: [
        { id: 'ts-1', taskSetArn: 'arn:ts-1', status: 'PRIMARY', externalId: 'abc', taskDefinition: 'arn:td', computedDesiredCount: 4, runningCount: 4, pendingCount: 0, scale: { value: 100, unit: 'PERCENT' }, loadBalancers: [{ targetGroupArn: BLUE }], tags: {} },
      ],
    } as unknown as ObservedService;
    const obs = observeRolloutState({
      service,
      rules: { [RULE]: { arn: RULE, priority: '1', isDefault: false, forward: [{ targetGroupArn: BLUE, weight: 100 }, { targetGroupArn: GREEN, weight: 0 }], actions: [] } },
      targetHealth: { [BLUE]: [{ id: '10.0.0.1', state: 'healthy' }, { id: '10.0.0.2', state: 'initial' }] },
    });
    expect(obs.taskSets[0]).toMatchObject({ arn: 'arn:ts-1', targetGroupArn: BLUE, scalePercent: 100, externalId: 'abc' });
    expect(obs.health[BLUE]).toEqual({ healthy: 1, initial: 1, unhealthy: 0, draining: 0, other: 0 });
    expect(obs.health[GREEN]).toEqual({ healthy: 0, initial: 0, unhealthy: 0, draining: 0, other: 0 });
    expect(obs.analysis).toEqual({});
  });

  it('counts every target health state', () => {
    const states = ['healthy', 'initial', 'unhealthy', 'unhealthy.draining', 'draining', 'unused', 'unavailable'];
    expect(summarizeHealth(states.map((state, i) => ({ id: String(i), state })))).toEqual({ healthy: 1, initial: 1, unhealthy: 2, draining: 1, other: 2 });
  });
});
