import type { ServiceManifest, ServiceSpec } from '../manifest/schema.js';
import { normalizeService, normalizeTaskDefinition } from '../diff/index.js';
import type { CanonicalService, CanonicalTaskDefinition, JsonRecord, NormalizeContext } from '../diff/index.js';
import { resolveTargetGroupArn } from '../diff/index.js';

/** Strategies whose versions the controller ships itself through task sets (EXTERNAL deployment controller). */
export function usesTaskSets(spec: ServiceSpec): boolean {
  const strategy = spec.rollout?.strategy;
  return strategy === 'Canary' || strategy === 'BlueGreen';
}

export function desiredTaskDefinition(spec: ServiceSpec, context: NormalizeContext): CanonicalTaskDefinition {
  return normalizeTaskDefinition(spec.taskDefinition as unknown as JsonRecord, context);
}

/**
 * The service fields the manifest sets, as CreateService input. For a Canary/BlueGreen service only the shell:
 * the task definition, load balancers, network and launch settings belong to its task sets.
 */
export function desiredServiceSettings(manifest: ServiceManifest, context: NormalizeContext): CanonicalService {
  const { spec } = manifest;
  if (usesTaskSets(spec)) {
    return normalizeService(
      {
        deploymentController: { type: 'EXTERNAL' },
        healthCheckGracePeriodSeconds: spec.healthCheckGracePeriodSeconds,
        placementConstraints: spec.placementConstraints,
        placementStrategy: spec.placementStrategy,
        enableECSManagedTags: spec.enableECSManagedTags,
        propagateTags: spec.propagateTags,
      },
      context,
    );
  }
  const rollout = spec.rollout;
  const native = rollout?.strategy === 'Native' ? rollout.native : undefined;
  const rolling = rollout?.strategy === 'Rolling' ? rollout.rolling : undefined;
  const loadBalancers = spec.loadBalancer
    ? [
        {
          targetGroupArn: spec.loadBalancer.targetGroup,
          containerName: spec.loadBalancer.containerName,
          containerPort: spec.loadBalancer.containerPort,
          ...(native
            ? {
                advancedConfiguration: {
                  alternateTargetGroupArn: native.advancedConfiguration.alternateTargetGroup,
                  productionListenerRule: native.advancedConfiguration.productionListenerRule,
                  testListenerRule: native.advancedConfiguration.testListenerRule,
                  roleArn: native.advancedConfiguration.roleArn,
                },
              }
            : {}),
        },
      ]
    : undefined;
  // progressDeadlineSeconds is the controller's (the failed-revision hold), not ECS's.
  const { progressDeadlineSeconds: _deadline, ...rollingConfig } = rolling ?? {};
  let deploymentConfiguration: JsonRecord | undefined = rolling ? rollingConfig : undefined;
  if (native) {
    const { advancedConfiguration: _advanced, ...config } = native;
    deploymentConfiguration = config;
  }
  return normalizeService(
    {
      launchType: spec.launchType,
      capacityProviderStrategy: spec.capacityProviderStrategy,
      platformVersion: spec.platformVersion,
      networkConfiguration: spec.networkConfiguration,
      healthCheckGracePeriodSeconds: spec.healthCheckGracePeriodSeconds,
      enableExecuteCommand: spec.enableExecuteCommand,
      enableECSManagedTags: spec.enableECSManagedTags,
      propagateTags: spec.propagateTags,
      placementConstraints: spec.placementConstraints,
      placementStrategy: spec.placementStrategy,
      serviceRegistries: spec.serviceRegistries,
      loadBalancers,
      deploymentController: { type: 'ECS' },
      deploymentConfiguration,
    },
    context,
  );
}

/** Target groups the manifest refers to (for observe): load balancer, canary/blue-green pair, native alternate. */
export function referencedTargetGroups(spec: ServiceSpec): string[] {
  const refs = [spec.loadBalancer?.targetGroup];
  const rollout = spec.rollout;
  if (rollout?.strategy === 'Canary') refs.push(rollout.canary.stableTargetGroup, rollout.canary.canaryTargetGroup);
  if (rollout?.strategy === 'BlueGreen') refs.push(rollout.blueGreen.activeTargetGroup, rollout.blueGreen.previewTargetGroup);
  if (rollout?.strategy === 'Native') refs.push(rollout.native.advancedConfiguration.alternateTargetGroup);
  return refs.filter((ref): ref is string => ref !== undefined);
}

export function unresolvedTargetGroups(spec: ServiceSpec, context: NormalizeContext, knownArns: ReadonlySet<string>): string[] {
  return referencedTargetGroups(spec).filter((ref) => {
    const arn = resolveTargetGroupArn(ref, context);
    return !arn.startsWith('arn:') || !knownArns.has(arn);
  });
}
