import type { ServiceManifest } from '../manifest/schema.js';
import { serviceKey } from '../observe/index.js';
import type { ObserveExtras, ServiceKey } from '../observe/index.js';
import { referencedTargetGroups } from './desired.js';

export interface Observation {
  keys: ServiceKey[];
  clusters: string[];
  extras: ObserveExtras;
}

/**
 * What to read from AWS before planning these manifests: their service keys and clusters (for observeServices
 * or observeClusters) and the load-balancer resources they refer to.
 */
export function observationFor(manifests: readonly ServiceManifest[], options: { cleanupRevisions?: boolean } = {}): Observation {
  const unique = (items: (string | undefined)[]) => [...new Set(items.filter((item): item is string => item !== undefined))].sort();
  const keys = unique(manifests.map((m) => serviceKey(m.spec.cluster, m.metadata.name)));
  return {
    keys,
    clusters: unique(manifests.map((m) => m.spec.cluster)),
    extras: {
      detailKeys: keys,
      targetGroups: unique(manifests.flatMap((m) => referencedTargetGroups(m.spec))),
      targetGroupAttributes: unique(manifests.map((m) => (m.spec.loadBalancer?.targetGroupSettings?.attributes ? m.spec.loadBalancer.targetGroup : undefined))),
      ruleArns: unique(
        manifests.flatMap((m) => {
          const rollout = m.spec.rollout;
          if (rollout?.strategy === 'Canary') return [rollout.canary.listenerRule];
          if (rollout?.strategy === 'BlueGreen') return [rollout.blueGreen.productionListenerRule, rollout.blueGreen.testListenerRule];
          return [];
        }),
      ),
      ...(options.cleanupRevisions ? { taskDefinitionFamilies: unique(manifests.map((m) => m.spec.taskDefinition.family)) } : {}),
    },
  };
}
