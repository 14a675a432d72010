/** How services are keyed: `cluster/name`, with a cluster ARN reduced to its name so both spellings agree. */

export function clusterName(cluster: string): string {
  const arn = /^arn:[^:]+:ecs:[^:]*:\d{12}:cluster\/(.+)$/.exec(cluster);
  return arn?.[1] ?? cluster;
}

export function serviceKey(cluster: string, name: string): string {
  return `${clusterName(cluster)}/${name}`;
}
