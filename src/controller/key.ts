/** Identifies one ECS service: the work-queue key, and the `cluster`/`service` labels of its metrics. */
export interface ServiceRef {
  cluster: string;
  service: string;
}

/** `cluster/service`. ECS cluster and service names cannot contain `/`, so the key is unambiguous. */
export type ServiceKey = string;

export function serviceKey({ cluster, service }: ServiceRef): ServiceKey {
  assertName('cluster', cluster);
  assertName('service', service);
  return `${cluster}/${service}`;
}

export function parseServiceKey(key: ServiceKey): ServiceRef {
  const parts = key.split('/');
  if (parts.length !== 2 || parts.some((part) => part === '')) {
    throw new Error(`invalid service key ${JSON.stringify(key)}: expected "cluster/service"`);
  }
  const [cluster, service] = parts as [string, string];
  return { cluster, service };
}

function assertName(kind: string, name: string): void {
  if (name === '' || name.includes('/')) {
    throw new Error(`invalid ${kind} name ${JSON.stringify(name)}: must be non-empty and contain no "/"`);
  }
}
