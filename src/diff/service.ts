import { fillDefault, isRecord, prune, sortByFields, sortStrings } from './json.js';
import type { JsonRecord } from './json.js';
import { normalizeRoleArn, resolveTargetGroupArn } from './references.js';
import type { NormalizeContext } from './references.js';

/**
 * A service's settable fields (CreateService input names), with every default AWS applies spelled out. Defaults
 * are filled rather than dropped so that a field the manifest leaves out still has a value UpdateService can send
 * to undo drift (e.g. enableExecuteCommand switched on by hand goes back to false).
 */
export type CanonicalService = JsonRecord;

export function normalizeService(input: JsonRecord, context: NormalizeContext = {}): CanonicalService {
  const service: JsonRecord = { ...input };
  fillDefault(service, 'schedulingStrategy', 'REPLICA');
  fillDefault(service, 'deploymentController', { type: 'ECS' });
  fillDefault(service, 'enableExecuteCommand', false);
  fillDefault(service, 'enableECSManagedTags', false);
  fillDefault(service, 'propagateTags', 'NONE');
  if (usesFargate(service)) fillDefault(service, 'platformVersion', 'LATEST');
  service.role = normalizeRoleArn(service.role, context);
  service.deploymentConfiguration = normalizeDeploymentConfiguration(
    isRecord(service.deploymentConfiguration) ? service.deploymentConfiguration : {},
    service.schedulingStrategy === 'DAEMON',
  );
  if (isRecord(service.networkConfiguration) && isRecord(service.networkConfiguration.awsvpcConfiguration)) {
    const awsvpc = { ...service.networkConfiguration.awsvpcConfiguration };
    awsvpc.subnets = sortStrings(awsvpc.subnets as unknown[] | undefined);
    awsvpc.securityGroups = sortStrings(awsvpc.securityGroups as unknown[] | undefined);
    fillDefault(awsvpc, 'assignPublicIp', 'DISABLED');
    service.networkConfiguration = { ...service.networkConfiguration, awsvpcConfiguration: awsvpc };
  }
  service.capacityProviderStrategy = sortByFields(
    records(service.capacityProviderStrategy).map((item) => ({ base: 0, weight: 0, ...item })),
    'capacityProvider',
  );
  service.loadBalancers = sortByFields(
    records(service.loadBalancers).map((lb) => normalizeLoadBalancer(lb, context)),
    'targetGroupArn',
    'containerName',
    'containerPort',
  );
  // Constraints must all hold, so their order means nothing; placementStrategy is applied in order and keeps it.
  service.placementConstraints = sortByFields(service.placementConstraints as unknown[] | undefined, 'type', 'expression');
  service.serviceRegistries = sortByFields(service.serviceRegistries as unknown[] | undefined, 'registryArn', 'containerName');
  normalizeGracePeriod(service);
  return (prune(service) ?? {}) as CanonicalService;
}

/**
 * ECS rejects a health check grace period on a service with neither load balancers nor service registries, yet
 * describe may echo 0 for such a service: the field only means something, and only defaults to 0, beside them.
 * An EXTERNAL service gets its load balancers from its task sets, so describe shows them or not depending on the
 * rollout; there 0 and absent mean the same.
 */
function normalizeGracePeriod(service: JsonRecord): void {
  const external = isRecord(service.deploymentController) && service.deploymentController.type === 'EXTERNAL';
  const checked = records(service.loadBalancers).length > 0 || records(service.serviceRegistries).length > 0;
  if (external ? service.healthCheckGracePeriodSeconds === 0 : !checked) delete service.healthCheckGracePeriodSeconds;
  else if (!external) fillDefault(service, 'healthCheckGracePeriodSeconds', 0);
}

function normalizeDeploymentConfiguration(input: JsonRecord, daemon: boolean): JsonRecord {
  const config = { ...input };
  fillDefault(config, 'maximumPercent', daemon ? 100 : 200);
  fillDefault(config, 'minimumHealthyPercent', daemon ? 0 : 100);
  fillDefault(config, 'deploymentCircuitBreaker', { enable: false, rollback: false });
  fillDefault(config, 'strategy', 'ROLLING');
  const alarms = isRecord(config.alarms) ? config.alarms : {};
  config.alarms = { enable: false, rollback: false, ...alarms, alarmNames: sortStrings(alarms.alarmNames as unknown[] | undefined) };
  if (config.strategy === 'ROLLING') {
    // Only the traffic-shifting strategies use these; describe may echo zeros for a rolling service.
    for (const field of ['bakeTimeInMinutes', 'canaryConfiguration', 'linearConfiguration', 'lifecycleHooks']) delete config[field];
  }
  return config;
}

function normalizeLoadBalancer(input: JsonRecord, context: NormalizeContext): JsonRecord {
  const lb: JsonRecord = { ...input };
  if (typeof lb.targetGroupArn === 'string') lb.targetGroupArn = resolveTargetGroupArn(lb.targetGroupArn, context);
  lb.containerPort = typeof lb.containerPort === 'string' ? Number(lb.containerPort) : lb.containerPort;
  if (isRecord(lb.advancedConfiguration)) {
    const advanced = { ...lb.advancedConfiguration };
    if (typeof advanced.alternateTargetGroupArn === 'string') {
      advanced.alternateTargetGroupArn = resolveTargetGroupArn(advanced.alternateTargetGroupArn, context);
    }
    advanced.roleArn = normalizeRoleArn(advanced.roleArn, context);
    lb.advancedConfiguration = advanced;
  }
  return lb;
}

/** Fargate services report a platform version (LATEST unless pinned); EC2 services have none. */
function usesFargate(service: JsonRecord): boolean {
  if (service.launchType === 'FARGATE') return true;
  return records(service.capacityProviderStrategy).some((item) => String(item.capacityProvider ?? '').startsWith('FARGATE'));
}

function records(value: unknown): JsonRecord[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
