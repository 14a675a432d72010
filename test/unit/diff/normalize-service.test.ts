import { describe, expect, it } from 'vitest';
import { diffValues, normalizeService } from '../../../src/diff/index.js';
import type { JsonRecord } from '../../../src/diff/index.js';

const ACCOUNT = '123456789012';
const TG = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web/0123456789abcdef`;
const context = { accountId: ACCOUNT, partition: 'aws', targetGroupArnsByName: { web: TG } };

const fargate = (extra: JsonRecord = {}): JsonRecord => ({ launchType: 'FARGATE', ...extra });

/** Rows: case (and where it is documented), the manifest's spelling, what DescribeServices returns. */
const equivalentServices: [string, JsonRecord, JsonRecord][] = [
  [
    'circuit breaker {enable:false, rollback:false} equals absent (Crossplane/ACK perpetual diff, ecspresso)',
    fargate(),
    fargate({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false }, maximumPercent: 200, minimumHealthyPercent: 100 } }),
  ],
  ['maximumPercent 200 / minimumHealthyPercent 100 are the REPLICA defaults (ecspresso)', fargate(), fargate({ deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 } })],
  ['DAEMON defaults are 100 / 0 (ecspresso)', { schedulingStrategy: 'DAEMON' }, { schedulingStrategy: 'DAEMON', deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 } }],
  ['deployment alarms disabled with no names equal absent', fargate(), fargate({ deploymentConfiguration: { alarms: { alarmNames: [], enable: false, rollback: false } } })],
  ['strategy ROLLING is the default, and bakeTimeInMinutes means nothing for it', fargate(), fargate({ deploymentConfiguration: { strategy: 'ROLLING', bakeTimeInMinutes: 0 } })],
  ['platformVersion LATEST is the Fargate default (ecspresso)', fargate(), fargate({ platformVersion: 'LATEST' })],
  ['assignPublicIp DISABLED is the default (ecspresso)', fargate({ networkConfiguration: { awsvpcConfiguration: { subnets: ['s-1'] } } }), fargate({ networkConfiguration: { awsvpcConfiguration: { subnets: ['s-1'], assignPublicIp: 'DISABLED' } } })],
  ['subnets and security groups are sets (ecspresso)', fargate({ networkConfiguration: { awsvpcConfiguration: { subnets: ['s-2', 's-1'], securityGroups: ['sg-b', 'sg-a'] } } }), fargate({ networkConfiguration: { awsvpcConfiguration: { subnets: ['s-1', 's-2'], securityGroups: ['sg-a', 'sg-b'] } } })],
  ['enableExecuteCommand false equals absent (Crossplane/ACK perpetual diff)', fargate(), fargate({ enableExecuteCommand: false })],
  ['enableECSManagedTags false equals absent', fargate(), fargate({ enableECSManagedTags: false })],
  ['propagateTags NONE equals absent', fargate(), fargate({ propagateTags: 'NONE' })],
  ['schedulingStrategy REPLICA is the default (ecspresso)', fargate(), fargate({ schedulingStrategy: 'REPLICA' })],
  ['deploymentController ECS is the default', fargate(), fargate({ deploymentController: { type: 'ECS' } })],
  ['healthCheckGracePeriodSeconds 0 equals absent (ecspresso)', fargate(), fargate({ healthCheckGracePeriodSeconds: 0 })],
  [
    'capacity provider strategy is keyed by provider; base and weight default to 0',
    { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 3 }, { capacityProvider: 'FARGATE', base: 1, weight: 1 }] },
    { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 }], platformVersion: 'LATEST' },
  ],
  [
    'target group name equals its ARN (resolved by observe)',
    fargate({ loadBalancers: [{ targetGroupArn: 'web', containerName: 'app', containerPort: 8080 }] }),
    fargate({ loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }] }),
  ],
  [
    'placement constraints are a set',
    { placementConstraints: [{ type: 'memberOf', expression: 'attribute:x == 1' }, { type: 'distinctInstance' }] },
    { placementConstraints: [{ type: 'distinctInstance' }, { type: 'memberOf', expression: 'attribute:x == 1' }] },
  ],
  [
    'an EXTERNAL service: grace period 0 equals absent',
    { deploymentController: { type: 'EXTERNAL' } },
    { deploymentController: { type: 'EXTERNAL' }, healthCheckGracePeriodSeconds: 0 },
  ],
  ['empty placement lists and registries equal absent', fargate(), fargate({ placementConstraints: [], placementStrategy: [], serviceRegistries: [], loadBalancers: [] })],
];

describe('service normalization: no false differences', () => {
  it.each(equivalentServices)('%s', (_case, desired, observed) => {
    expect(diffValues(normalizeService(desired, context), normalizeService(observed, context))).toEqual([]);
  });
});

describe('service normalization keeps real differences', () => {
  it('placementStrategy order matters (ECS applies strategies in order)', () => {
    const spreadThenBinpack = { placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }] };
    const binpackThenSpread = { placementStrategy: [{ type: 'binpack', field: 'memory' }, { type: 'spread', field: 'attribute:ecs.availability-zone' }] };
    expect(diffValues(normalizeService(spreadThenBinpack), normalizeService(binpackThenSpread)).length).toBeGreaterThan(0);
  });

  it('an enabled circuit breaker differs from the default', () => {
    const changes = diffValues(
      normalizeService(fargate({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } })),
      normalizeService(fargate()),
    );
    expect(changes.map((c) => c.path.join('.'))).toEqual(['deploymentConfiguration.deploymentCircuitBreaker.enable', 'deploymentConfiguration.deploymentCircuitBreaker.rollback']);
  });

  it('a grace period set on an EXTERNAL service differs from none, load balancers shown or not', () => {
    const changes = diffValues(
      normalizeService({ deploymentController: { type: 'EXTERNAL' }, healthCheckGracePeriodSeconds: 60 }),
      normalizeService({ deploymentController: { type: 'EXTERNAL' }, loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }] }),
    );
    expect(changes.filter((c) => c.path[0] === 'healthCheckGracePeriodSeconds')).toEqual([
      { path: ['healthCheckGracePeriodSeconds'], kind: 'added', desired: 60, observed: undefined },
    ]);
  });

  it('a grace period is never kept on a service without load balancers, which ECS rejects', () => {
    expect(normalizeService(fargate({ healthCheckGracePeriodSeconds: 60 }))).not.toHaveProperty('healthCheckGracePeriodSeconds');
  });

  it('execute command switched on by hand shows as a change back to false', () => {
    const changes = diffValues(normalizeService(fargate()), normalizeService(fargate({ enableExecuteCommand: true })));
    expect(changes).toEqual([{ path: ['enableExecuteCommand'], kind: 'changed', desired: false, observed: true }]);
  });
});
