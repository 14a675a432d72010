/** ECS resource ARNs in the long format AWS has used since 2021. */
export interface ArnScope {
  region: string;
  accountId: string;
}

const prefix = (scope: ArnScope) => `arn:aws:ecs:${scope.region}:${scope.accountId}`;

export const clusterArn = (scope: ArnScope, cluster: string) => `${prefix(scope)}:cluster/${cluster}`;
export const serviceArn = (scope: ArnScope, cluster: string, service: string) => `${prefix(scope)}:service/${cluster}/${service}`;
export const taskDefinitionArn = (scope: ArnScope, family: string, revision: number) => `${prefix(scope)}:task-definition/${family}:${revision}`;
export const taskArn = (scope: ArnScope, cluster: string, id: string) => `${prefix(scope)}:task/${cluster}/${id}`;
export const serviceDeploymentArn = (scope: ArnScope, cluster: string, service: string, id: string) => `${prefix(scope)}:service-deployment/${cluster}/${service}/${id}`;
export const serviceRevisionArn = (scope: ArnScope, cluster: string, service: string, id: string) => `${prefix(scope)}:service-revision/${cluster}/${service}/${id}`;
export const taskSetArn = (scope: ArnScope, cluster: string, service: string, id: string) => `${prefix(scope)}:task-set/${cluster}/${service}/${id}`;

/** The last path segment of an ARN, or the input when it is already a plain name: `arn:...:cluster/prod` -> `prod`. */
export function nameFromArnOrName(value: string): string {
  if (!value.startsWith('arn:')) return value;
  const resource = value.split(':').slice(5).join(':');
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/** The resource part of an ECS ARN: `task-definition/web:3` -> {type: 'task-definition', path: ['web:3']}. */
export function parseEcsArn(arn: string): { type: string; path: string[] } | undefined {
  const match = /^arn:aws[\w-]*:ecs:[^:]*:\d*:([a-z-]+)\/(.+)$/.exec(arn);
  if (!match) return undefined;
  return { type: match[1]!, path: match[2]!.split('/') };
}
