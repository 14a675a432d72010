import { describe, expect, it } from 'vitest';
import { observationFor } from '../../../src/plan/index.js';
import { manifest, RULE_ARN } from './fixtures.js';

describe('observationFor', () => {
  it('lists the keys, clusters and load-balancer resources the manifests refer to', () => {
    const web = manifest({ loadBalancer: { containerName: 'app', containerPort: 8080, targetGroup: 'web-tg', targetGroupSettings: { attributes: { 'slow_start.duration_seconds': 30 } } } }, { name: 'web' });
    const canary = manifest(
      { cluster: 'stage', rollout: { strategy: 'Canary', canary: { stableTargetGroup: 'a', canaryTargetGroup: 'b', listenerRule: RULE_ARN, steps: [{ setWeight: 5 }] } } },
      { name: 'api' },
    );
    expect(observationFor([web, canary], { cleanupRevisions: true })).toEqual({
      keys: ['prod/web', 'stage/api'],
      clusters: ['prod', 'stage'],
      extras: { detailKeys: ['prod/web', 'stage/api'], targetGroups: ['a', 'b', 'web-tg'], targetGroupAttributes: ['web-tg'], ruleArns: [RULE_ARN], taskDefinitionFamilies: ['checkout'] },
    });
  });
});
