import type { CapacityProviderStrategyItem, LoadBalancer, NetworkConfiguration } from '@aws-sdk/client-ecs';
import type { EcsContext } from './context.js';
import { invalidParameter } from './errors.js';
import type { TaskDefinitionRecord, TaskPlacement } from './model.js';

export interface PlacementInput {
  launchType?: string;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
  networkConfiguration?: NetworkConfiguration;
  loadBalancers?: LoadBalancer[];
}

const LAUNCH_TYPES = ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'];

function usesFargate(input: PlacementInput): boolean {
  return input.launchType === 'FARGATE' || (input.capacityProviderStrategy ?? []).some((item) => item.capacityProvider?.startsWith('FARGATE'));
}

/** The checks CreateService, UpdateService and CreateTaskSet share, with AWS's messages. */
export function validatePlacement(ecs: EcsContext, definition: TaskDefinitionRecord, input: PlacementInput): TaskPlacement {
  if (input.launchType !== undefined && input.capacityProviderStrategy !== undefined && input.capacityProviderStrategy.length > 0) {
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  }
  if (input.launchType !== undefined && !LAUNCH_TYPES.includes(input.launchType)) throw invalidParameter(`Invalid launch type: ${input.launchType}`);
  validateCapacityProviderStrategy(input.capacityProviderStrategy);
  if (usesFargate(input) && !definition.body.compatibilities?.includes('FARGATE')) {
    throw invalidParameter('Task definition does not support launch_type FARGATE.');
  }
  if (definition.body.networkMode === 'awsvpc' && !input.networkConfiguration?.awsvpcConfiguration) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  const subnets = input.networkConfiguration?.awsvpcConfiguration?.subnets;
  if (input.networkConfiguration?.awsvpcConfiguration && (!subnets || subnets.length === 0)) throw invalidParameter('subnets can not be empty.');
  for (const lb of input.loadBalancers ?? []) validateLoadBalancer(ecs, definition, lb);
  return {
    loadBalancers: input.loadBalancers ?? [],
    ...(input.launchType !== undefined ? { launchType: input.launchType } : {}),
    ...(input.capacityProviderStrategy?.length ? { capacityProviderStrategy: input.capacityProviderStrategy } : {}),
    ...(input.platformVersion !== undefined || usesFargate(input) ? { platformVersion: input.platformVersion ?? 'LATEST' } : {}),
    ...(input.networkConfiguration ? { networkConfiguration: withNetworkDefaults(input.networkConfiguration) } : {}),
  };
}

/** AWS returns assignPublicIp DISABLED and an empty security group list when they were not given. */
function withNetworkDefaults(config: NetworkConfiguration): NetworkConfiguration {
  const awsvpc = config.awsvpcConfiguration;
  if (!awsvpc) return config;
  return { awsvpcConfiguration: { ...awsvpc, securityGroups: awsvpc.securityGroups ?? [], assignPublicIp: awsvpc.assignPublicIp ?? 'DISABLED' } };
}

function validateCapacityProviderStrategy(strategy: CapacityProviderStrategyItem[] | undefined): void {
  if (!strategy || strategy.length === 0) return;
  if (strategy.length > 20) throw invalidParameter('The capacity provider strategy can contain a maximum of 20 capacity providers.');
  if (strategy.filter((item) => (item.base ?? 0) > 0).length > 1) {
    throw invalidParameter('Only one capacity provider in a capacity provider strategy can have a base defined.');
  }
  for (const item of strategy) {
    if (!item.capacityProvider) throw invalidParameter('capacityProvider can not be empty.');
    if ((item.weight ?? 0) < 0 || (item.weight ?? 0) > 1000) throw invalidParameter('The capacity provider weight must be between 0 and 1000.');
  }
}

function validateLoadBalancer(ecs: EcsContext, definition: TaskDefinitionRecord, lb: LoadBalancer): void {
  if (!lb.targetGroupArn && !lb.loadBalancerName) throw invalidParameter('Target group ARN or load balancer name must be specified.');
  const container = definition.body.containerDefinitions.find((c) => c.name === lb.containerName);
  if (!container) throw invalidParameter(`The container ${lb.containerName ?? ''} does not exist in the task definition.`);
  if (!container.portMappings?.some((m) => m.containerPort === lb.containerPort)) {
    throw invalidParameter(`The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`);
  }
  const elbv2 = ecs.views.elbv2;
  if (lb.targetGroupArn && elbv2 && !elbv2.targetGroupExists(lb.targetGroupArn)) {
    throw invalidParameter(`The target group with targetGroupArn ${lb.targetGroupArn} does not exist.`);
  }
  if (lb.targetGroupArn && elbv2 && !elbv2.targetGroupHasLoadBalancer(lb.targetGroupArn)) {
    throw invalidParameter(`The target group with targetGroupArn ${lb.targetGroupArn} does not have an associated load balancer.`);
  }
}
