/**
 * How services are identified everywhere (manifests, observed state, the work queue, metric labels): the key
 * `cluster/name`, with a cluster ARN reduced to its name so both spellings agree. ECS cluster and service names
 * cannot contain `/`, so the key is unambiguous.
 */

/** `cluster/service`. */
export type ServiceKey = string;

export interface ServiceRef {
  cluster: string;
  service: string;
}

const CLUSTER_ARN = /^arn:[^:]+:ecs:[^:]*:\d{12}:cluster\/(.+)$/;

/** A cluster's short name from its name or ARN (arn:aws:ecs:region:account:cluster/name). */
export function clusterName(clusterOrArn: string): string {
  return CLUSTER_ARN.exec(clusterOrArn)?.[1] ?? clusterOrArn;
}

/**
 * Never throws: it also names the services of documents the schema rejected (for reporting), whose names may be
 * anything. Valid manifests and AWS both guarantee names without `/`; `parseServiceKey` rejects anything else.
 */
export function serviceKey(cluster: string, service: string): ServiceKey {
  return `${clusterName(cluster)}/${service}`;
}

export function parseServiceKey(key: ServiceKey): ServiceRef {
  const parts = key.split('/');
  if (parts.length !== 2 || parts.some((part) => part === '')) {
    throw new Error(`invalid service key ${JSON.stringify(key)}: expected "cluster/service"`);
  }
  const [cluster, service] = parts as [string, string];
  return { cluster, service };
}

