import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { ServiceManifest } from '../manifest/schema.js';
import { contextFromArn, diffValues, normalizeService, normalizeTaskDefinition } from '../diff/index.js';
import type { CanonicalTaskDefinition, FieldChange, JsonRecord, NormalizeContext } from '../diff/index.js';
import { clusterName, scalableResourceId, serviceKey } from '../observe/index.js';
import type { ObservedService, ObservedState } from '../observe/index.js';
import { FAILURE_TAG, failureTagValue, isHeld, judgeHold } from '../hold/index.js';
import type { Hold } from '../hold/index.js';
import { versionHash } from '../rollout/index.js';
import { planAutoscaling } from './autoscaling.js';
import { desiredServiceSettings, desiredTaskDefinition, unresolvedTargetGroups, usesTaskSets } from './desired.js';
import { planTags, tagList, tagRecord, tagsForCreate } from './tags.js';
import type { DesiredTags } from './tags.js';
import { planTargetGroup } from './target-group.js';
import {
  ADOPT_ANNOTATION,
  ALLOW_REPLACEMENT_ANNOTATION,
  DEFAULT_INSTANCE,
  MANAGED_BY_TAG,
  REGISTERED_TASK_DEFINITION,
  REVISION_TAG,
} from './types.js';
import type { PlannedAction, PlanOptions, ServicePlan } from './types.js';

/** Service fields the manifest can set and the plan compares. desiredCount has rules of its own. */
const COMPARED_SERVICE_FIELDS = [
  'launchType',
  'capacityProviderStrategy',
  'platformVersion',
  'networkConfiguration',
  'healthCheckGracePeriodSeconds',
  'enableExecuteCommand',
  'enableECSManagedTags',
  'propagateTags',
  'placementConstraints',
  'placementStrategy',
  'serviceRegistries',
  'loadBalancers',
  'deploymentConfiguration',
  'deploymentController',
  'schedulingStrategy',
];

/** What UpdateService sends to clear a list field the manifest no longer has. */
const CLEARED_VALUE: Record<string, unknown> = {
  capacityProviderStrategy: [],
  placementConstraints: [],
  placementStrategy: [],
  serviceRegistries: [],
  loadBalancers: [],
};

/** UpdateService of an EXTERNAL (task set) service accepts only these (besides desiredCount). */
const EXTERNAL_UPDATABLE = new Set(['healthCheckGracePeriodSeconds']);

/**
 * The minimal ordered actions that make one service match its manifest. Pure: everything it knows about AWS
 * comes from `observed`.
 */
export function planService(manifest: ServiceManifest, observed: ObservedState, options: PlanOptions): ServicePlan {
  const { spec, metadata } = manifest;
  const key = serviceKey(spec.cluster, metadata.name);
  const service = observed.services[key];
  const instance = options.instance ?? DEFAULT_INSTANCE;
  const annotations = metadata.annotations ?? {};
  const plan: ServicePlan = { key, outcome: 'in-sync', actions: [], changes: [], messages: [], deferred: [] };

  // Nothing can be created in a cluster that does not exist: registering a task definition first would only leave
  // one more identical revision behind on every attempt.
  if (observed.missingClusters.includes(clusterName(spec.cluster))) {
    plan.outcome = 'blocked';
    plan.messages.push(`cluster ${spec.cluster} does not exist (ECS answered ClusterNotFoundException); create the cluster or fix spec.cluster: nothing is registered or created until then`);
    return plan;
  }

  if (service) {
    const owner = service.tags[MANAGED_BY_TAG];
    if (owner !== instance && annotations[ADOPT_ANNOTATION] !== 'true') {
      plan.outcome = 'conflict';
      plan.messages.push(
        owner === undefined
          ? `service ${key} exists without the ${MANAGED_BY_TAG} tag; set annotation ${ADOPT_ANNOTATION}: "true" to adopt it`
          : `service ${key} is managed by controller instance "${owner}", not "${instance}"; set annotation ${ADOPT_ANNOTATION}: "true" to take it over`,
      );
      return plan;
    }
  }

  if (service?.status === 'DRAINING') {
    plan.outcome = 'blocked';
    plan.messages.push(`service ${key} is being deleted (DRAINING); it is created again once ECS reports it INACTIVE`);
    return plan;
  }

  const context = normalizeContextFor(observed, service);
  const unresolved = unresolvedTargetGroups(spec, context, new Set(Object.keys(observed.targetGroups)));
  if (unresolved.length > 0) {
    plan.outcome = 'blocked';
    plan.messages.push(`target group(s) not found: ${unresolved.join(', ')}`);
    return plan;
  }

  const tags: DesiredTags = { user: tagRecord(spec.tags), instance, revision: options.revision };
  const build = { manifest, observed, options, context, tags, plan };
  addTargetGroupActions(build);
  if (!service) {
    addCreateActions(build);
  } else {
    addUpdateActions(build, service);
  }
  if (plan.outcome === 'in-sync' && (plan.actions.length > 0 || plan.deferred.length > 0)) plan.outcome = 'changes';
  return plan;
}

interface Build {
  manifest: ServiceManifest;
  observed: ObservedState;
  options: PlanOptions;
  context: NormalizeContext;
  tags: DesiredTags;
  plan: ServicePlan;
}

function normalizeContextFor(observed: ObservedState, service: ObservedService | undefined): NormalizeContext {
  const anyArn = service?.serviceArn ?? Object.values(observed.services)[0]?.serviceArn ?? Object.keys(observed.targetGroups)[0];
  return { ...contextFromArn(anyArn), targetGroupArnsByName: observed.targetGroupArnsByName };
}

function addTargetGroupActions({ manifest, observed, context, plan }: Build): void {
  const loadBalancer = manifest.spec.loadBalancer;
  if (!loadBalancer?.targetGroupSettings) return;
  const arn = context.targetGroupArnsByName?.[loadBalancer.targetGroup] ?? loadBalancer.targetGroup;
  const group = observed.targetGroups[arn];
  if (!group) return;
  if (loadBalancer.targetGroupSettings.attributes && !group.attributes) {
    plan.messages.push(`attributes of target group ${group.name} were not observed; all declared attributes are written`);
  }
  const { actions, changes } = planTargetGroup(loadBalancer.targetGroupSettings, group);
  plan.actions.push(...actions);
  plan.changes.push(...changes);
}

/** A RegisterTaskDefinition of the canonical content, tagged with the managing instance and the desired-state revision. */
export function registrationInput(td: CanonicalTaskDefinition, tags: Pick<DesiredTags, 'instance' | 'revision'>): RegisterTaskDefinitionCommandInput {
  const controllerTags = [
    { key: MANAGED_BY_TAG, value: tags.instance },
    { key: REVISION_TAG, value: tags.revision },
  ];
  return { ...td, tags: [...((td.tags as { key: string; value: string }[] | undefined) ?? []), ...controllerTags] } as unknown as RegisterTaskDefinitionCommandInput;
}

function registerAction(td: CanonicalTaskDefinition, tags: DesiredTags, reason: string): PlannedAction {
  return { kind: 'RegisterTaskDefinition', api: 'ecs', reason, resourceKey: `task-definition/${td.family}`, input: registrationInput(td, tags) };
}

/** The count the autoscaler's bounds allow: unchanged inside [min, max], else the nearest bound. */
function clamp(count: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, count));
}

/** `recordChanges` is false when replacing: the plan then already lists what differs from the old service. */
function addCreateActions(build: Build, recordChanges = true): void {
  const { manifest, context, tags, plan } = build;
  const { spec } = manifest;
  const external = usesTaskSets(spec);
  const settings = desiredServiceSettings(manifest, context);
  const autoscaling = spec.autoscaling;
  const desiredCount = autoscaling
    ? clamp(spec.desiredCount ?? autoscaling.minCapacity, autoscaling.minCapacity, autoscaling.maxCapacity)
    : (spec.desiredCount ?? 1);
  const td = desiredTaskDefinition(spec, context);
  if (external) {
    plan.deferred.push({ path: ['taskDefinition'], kind: 'added', desired: td });
    plan.messages.push('task definition and traffic are handled by the rollout engine (EXTERNAL deployment controller)');
  } else {
    if (recordChanges) plan.changes.push({ path: ['taskDefinition'], kind: 'added', desired: td });
    plan.actions.push(registerAction(td, tags, 'service does not exist'));
  }
  // An EXTERNAL service's deployments are its task sets: ECS's deployment configuration does not apply.
  const { deploymentConfiguration: _unused, ...shell } = settings;
  const input = {
    cluster: spec.cluster,
    serviceName: manifest.metadata.name,
    ...(external ? {} : { taskDefinition: REGISTERED_TASK_DEFINITION }),
    desiredCount,
    ...wireSettings(external ? shell : settings),
    tags: tagList(tagsForCreate(tags)),
  };
  if (recordChanges) plan.changes.push({ path: ['service'], kind: 'added', desired: { ...settings, desiredCount } });
  plan.actions.push({ kind: 'CreateService', api: 'ecs', reason: 'service does not exist', resourceKey: plan.key, input } as PlannedAction);
  if (autoscaling) {
    const scaling = planAutoscaling(scalableResourceId(plan.key), autoscaling, { policies: [], scheduledActions: [] });
    plan.actions.push(...scaling.actions);
    if (recordChanges) plan.changes.push(...scaling.changes);
  }
}

function addUpdateActions(build: Build, service: ObservedService): void {
  const { manifest, observed, context, tags, plan, options } = build;
  const { spec } = manifest;
  const external = usesTaskSets(spec);

  const tdChanges = taskDefinitionChanges(build, service, external);
  const settingsChanges = serviceSettingsChanges(build, service, external);
  const hold = external ? undefined : holdFor(build, service);
  const held = isHeld(hold);
  const replacement = held ? [] : settingsChanges.filter((change) => requiresReplacement(change, spec.launchType, external));
  if (replacement.length > 0) {
    planReplacement(build, service, replacement);
    return;
  }

  // Adoption tags first: the controller's IAM policy lets it change only services carrying its managed-by tag.
  const tagPlan = planTags(service.serviceArn, plan.key, tags, service.tags);
  const adopting = service.tags[MANAGED_BY_TAG] !== tags.instance;
  if (adopting) plan.actions.push(...tagPlan.actions);

  if (hold) plan.actions.push(...holdActions(service, hold, options));
  const update: JsonRecord = {};
  const reasons: string[] = [];
  if (tdChanges.length > 0 && !external && !held) {
    plan.actions.push(registerAction(desiredTaskDefinition(spec, context), tags, 'task definition content differs'));
    update.taskDefinition = REGISTERED_TASK_DEFINITION;
    reasons.push('taskDefinition');
  }
  const desiredSettings = wireSettings(desiredSettingsFor(build, service, external));
  for (const field of held ? [] : unique(settingsChanges.map((change) => String(change.path[1])))) {
    const value = desiredSettings[field] ?? CLEARED_VALUE[field];
    if (value === undefined) {
      plan.messages.push(`${field} cannot be removed in place; set it in the manifest or recreate the service`);
      continue;
    }
    update[field] = value;
    reasons.push(field);
  }

  const count = desiredCountFor(build, service);
  if (count !== undefined && count !== service.desiredCount) {
    plan.changes.push({ path: ['service', 'desiredCount'], kind: 'changed', desired: count, observed: service.desiredCount });
    update.desiredCount = count;
    reasons.push('desiredCount');
  }
  if (Object.keys(update).length > 0) {
    plan.actions.push({
      kind: 'UpdateService',
      api: 'ecs',
      reason: `${reasons.join(', ')} differ`,
      resourceKey: plan.key,
      input: { cluster: spec.cluster, service: manifest.metadata.name, ...update },
    } as PlannedAction);
  }

  if (spec.autoscaling) {
    const resourceId = scalableResourceId(plan.key);
    const scaling = planAutoscaling(resourceId, spec.autoscaling, {
      target: observed.scalableTargets[resourceId],
      policies: observed.scalingPolicies[resourceId] ?? [],
      scheduledActions: observed.scheduledActions[resourceId] ?? [],
    });
    plan.actions.push(...scaling.actions);
    plan.changes.push(...scaling.changes);
  }

  if (!adopting) plan.actions.push(...tagPlan.actions);
  plan.changes.push(...tagPlan.changes);

  if (options.keepTaskDefinitionRevisions !== undefined && !external) {
    plan.actions.push(...deregisterOldRevisions(build, service, update.taskDefinition !== undefined));
  }
}

function taskDefinitionChanges(build: Build, service: ObservedService, external: boolean): FieldChange[] {
  const { manifest, observed, context, plan } = build;
  const desired = desiredTaskDefinition(manifest.spec, context);
  const currentArn = external ? (service.taskSets.find((set) => set.status === 'PRIMARY')?.taskDefinition ?? '') : service.taskDefinition;
  const observedTd = observedTaskDefinition(observed, currentArn, context);
  if (!observedTd && currentArn !== '') plan.messages.push(`task definition ${currentArn} was not observed; treating it as different`);
  const changes = diffValues(desired, observedTd, ['taskDefinition']);
  if (external && changes.length > 0) {
    plan.deferred.push(...changes);
    plan.messages.push('task definition change is handled by the rollout engine');
  } else {
    plan.changes.push(...changes);
  }
  return changes;
}

/**
 * The hash of everything that starts a new ECS deployment of the service: its task definition and service settings
 * (not the count, tags or scaling, which change no deployment). The failed-revision hold is kept per this hash.
 */
export function revisionHash(manifest: ServiceManifest, context: NormalizeContext): string {
  return versionHash({ taskDefinition: desiredTaskDefinition(manifest.spec, context), service: desiredServiceSettings(manifest, context) });
}

/** A registered task definition in canonical form, for comparing with the desired one; undefined when not observed. */
function observedTaskDefinition(observed: ObservedState, arn: string, context: NormalizeContext): CanonicalTaskDefinition | undefined {
  const current = observed.taskDefinitions[arn];
  return current ? normalizeTaskDefinition({ ...current.definition, tags: tagList(current.tags) }, context) : undefined;
}

/** The failed-revision hold of a Rolling/Native service (src/hold), recorded in the plan when it is not `none`. */
function holdFor(build: Build, service: ObservedService): Hold {
  const { manifest, observed, context, options, plan } = build;
  let desired: CanonicalTaskDefinition | undefined;
  const rollout = manifest.spec.rollout;
  const deadline = rollout?.strategy === 'Rolling' ? rollout.rolling?.progressDeadlineSeconds : undefined;
  const hold = judgeHold({
    service,
    desiredHash: () => revisionHash(manifest, context),
    runsDesired: (arn) => {
      const td = observedTaskDefinition(observed, arn, context);
      desired ??= desiredTaskDefinition(manifest.spec, context);
      return td === undefined ? undefined : diffValues(desired, td).length === 0;
    },
    ...(rollout?.operator?.retry !== undefined ? { manifestRetry: rollout.operator.retry } : {}),
    ...(deadline !== undefined ? { progressDeadlineSeconds: deadline } : {}),
    gitRevision: options.revision,
    nowSec: Math.floor((options.now ?? Date.now()) / 1000),
    ...(options.recordKey ? { recordKey: options.recordKey } : {}),
  });
  if (hold.state !== 'none') plan.hold = hold;
  if (hold.state === 'started' || hold.state === 'held') {
    plan.messages.push(`revision ${hold.record.hash} failed (${hold.record.kind}): ${hold.record.message}; held: its task definition and service settings are not deployed until git changes them or an operator retries`);
  } else if (hold.state === 'unreadable') {
    plan.messages.push(`the failure record ${FAILURE_TAG} is not obeyed (${hold.error}): nothing is deployed until git changes the service or an operator retries`);
  } else if (hold.state === 'ended') {
    plan.messages.push(hold.why === 'retry' ? 'retry requested: the failed revision is deployed again' : 'the failed revision is no longer desired: the hold ends');
  }
  return hold;
}

/** Recording a failure (TagResource), or ending a hold (UntagResource) before deploying again. */
function holdActions(service: ObservedService, hold: Hold, options: PlanOptions): PlannedAction[] {
  const resourceArn = service.serviceArn;
  if (hold.state === 'started') {
    return [{ kind: 'TagResource', api: 'ecs', reason: `revision ${hold.record.hash} failed: hold it`, resourceKey: service.key, input: { resourceArn, tags: [{ key: FAILURE_TAG, value: failureTagValue(hold.record, resourceArn, options.recordKey) }] } }];
  }
  if (hold.state === 'ended') {
    return [{ kind: 'UntagResource', api: 'ecs', reason: hold.why === 'retry' ? 'retry requested: the hold ends' : 'git changed the failed revision: the hold ends', resourceKey: service.key, input: { resourceArn, tagKeys: [FAILURE_TAG] } }];
  }
  return [];
}

function desiredSettingsFor(build: Build, service: ObservedService, external: boolean): JsonRecord {
  const { manifest, context } = build;
  const { spec } = manifest;
  // Without launchType or capacity providers in the manifest, AWS chose (the cluster's default strategy): keep it.
  const inheritsLaunch = spec.launchType === undefined && spec.capacityProviderStrategy === undefined && !external;
  const settings = desiredServiceSettings(manifest, context);
  if (!inheritsLaunch) return settings;
  const inherited = normalizeService(
    { launchType: service.settings.launchType, capacityProviderStrategy: service.settings.capacityProviderStrategy, platformVersion: settings.platformVersion },
    context,
  );
  return { ...settings, ...pick(inherited, ['launchType', 'capacityProviderStrategy', 'platformVersion']) };
}

function serviceSettingsChanges(build: Build, service: ObservedService, external: boolean): FieldChange[] {
  const desired = desiredSettingsFor(build, service, external);
  const fields = external ? ['deploymentController', 'schedulingStrategy', ...EXTERNAL_UPDATABLE] : COMPARED_SERVICE_FIELDS;
  const observedSettings = normalizeService(pick(service.settings, COMPARED_SERVICE_FIELDS), build.context);
  const changes = diffValues(pick(desired, fields), pick(observedSettings, fields), ['service']);
  build.plan.changes.push(...changes);
  return changes;
}

/**
 * Fields UpdateService cannot change: the deployment controller and scheduling strategy, and the launch type
 * (UpdateService has no launchType; it can only move a launch-type service onto capacity providers).
 */
function requiresReplacement(change: FieldChange, desiredLaunchType: string | undefined, external: boolean): boolean {
  const field = String(change.path[1]);
  if (field === 'deploymentController' || field === 'schedulingStrategy') return true;
  if (field === 'launchType') return desiredLaunchType !== undefined;
  if (field === 'capacityProviderStrategy') return desiredLaunchType !== undefined && change.kind === 'removed';
  return external && !EXTERNAL_UPDATABLE.has(field);
}

function planReplacement(build: Build, service: ObservedService, replacement: FieldChange[]): void {
  const { manifest, plan } = build;
  const fields = unique(replacement.map((change) => String(change.path[1])));
  if (manifest.metadata.annotations?.[ALLOW_REPLACEMENT_ANNOTATION] !== 'true') {
    plan.outcome = 'requires-replacement';
    plan.messages.push(
      `${fields.join(', ')} cannot change in place; set annotation ${ALLOW_REPLACEMENT_ANNOTATION}: "true" to delete and recreate the service`,
    );
    return;
  }
  plan.messages.push(`${fields.join(', ')} cannot change in place: deleting and recreating the service (the applier waits for the old one to drain)`);
  plan.actions.push({
    kind: 'DeleteService',
    api: 'ecs',
    reason: `replacement: ${fields.join(', ')} cannot change in place`,
    resourceKey: plan.key,
    input: { cluster: manifest.spec.cluster, service: service.serviceName, force: true },
  });
  addCreateActions(build, false);
}

/**
 * The desired count to set, if any. When autoscaling owns the count (declared in the manifest, or a scalable
 * target exists) it is only pulled back inside [min, max]; a manifest without desiredCount leaves it alone. A
 * manifest desiredCount that this leaves unapplied gets a note, so that an edit never does nothing silently.
 */
function desiredCountFor({ manifest, observed, plan }: Build, service: ObservedService): number | undefined {
  const { spec } = manifest;
  const target = observed.scalableTargets[scalableResourceId(service.key)];
  const bounds = spec.autoscaling
    ? { min: spec.autoscaling.minCapacity, max: spec.autoscaling.maxCapacity }
    : target
      ? { min: target.minCapacity, max: target.maxCapacity }
      : undefined;
  if (!bounds) return spec.desiredCount;
  const count = clamp(service.desiredCount, bounds.min, bounds.max);
  if (spec.desiredCount !== undefined && spec.desiredCount !== count) {
    const owner = spec.autoscaling ? 'its autoscaling' : `the scalable target ${scalableResourceId(service.key)}`;
    const remedy = spec.autoscaling ? 'set autoscaling.minCapacity/maxCapacity to move it' : "change the scalable target's capacity to move it";
    plan.messages.push(`desiredCount ${spec.desiredCount} is ignored: ${owner} owns the count (${count} now, within ${bounds.min}..${bounds.max}); ${remedy}`);
  }
  return count;
}

/** Keeps the newest N revisions of the family (counting one about to be registered) and never one in use. */
function deregisterOldRevisions({ options, observed, plan, manifest }: Build, service: ObservedService, registering: boolean): PlannedAction[] {
  const keep = options.keepTaskDefinitionRevisions ?? 0;
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`keepTaskDefinitionRevisions must be a positive integer, got ${String(keep)}`);
  const family = manifest.spec.taskDefinition.family;
  const revisions = observed.taskDefinitionRevisions[family];
  if (!revisions) {
    plan.messages.push(`revisions of ${family} were not observed; no old revision is deregistered`);
    return [];
  }
  const inUse = new Set([service.taskDefinition, ...service.taskSets.map((set) => set.taskDefinition), ...service.deployments.map((d) => d.taskDefinition)]);
  const keepExisting = registering ? keep - 1 : keep;
  const old = revisions.slice(0, Math.max(0, revisions.length - keepExisting)).filter((arn) => !inUse.has(arn));
  return old.map((arn) => ({
    kind: 'DeregisterTaskDefinition',
    api: 'ecs',
    reason: `older than the ${keep} newest revisions of ${family}`,
    resourceKey: arn,
    input: { taskDefinition: arn },
  }));
}

/** CreateService/UpdateService values: the canonical form plus what the API wants spelled out. */
function wireSettings(settings: JsonRecord): JsonRecord {
  const wire = { ...settings };
  const config = wire.deploymentConfiguration as JsonRecord | undefined;
  const alarms = config?.alarms as JsonRecord | undefined;
  if (config && alarms) wire.deploymentConfiguration = { ...config, alarms: { alarmNames: [], ...alarms } };
  return wire;
}

function pick(record: JsonRecord, fields: readonly string[]): JsonRecord {
  return Object.fromEntries(fields.filter((field) => record[field] !== undefined).map((field) => [field, record[field]]));
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
