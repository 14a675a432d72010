import type { TargetGroupSettings } from '../manifest/schema.js';
import { diffValues, prune } from '../diff/index.js';
import type { FieldChange, JsonRecord } from '../diff/index.js';
import type { ObservedTargetGroup } from '../observe/index.js';
import type { PlannedAction } from './types.js';

const HEALTH_CHECK_FIELDS = {
  healthCheckPath: 'HealthCheckPath',
  healthCheckIntervalSeconds: 'HealthCheckIntervalSeconds',
  healthCheckTimeoutSeconds: 'HealthCheckTimeoutSeconds',
  healthyThresholdCount: 'HealthyThresholdCount',
  unhealthyThresholdCount: 'UnhealthyThresholdCount',
} as const;

/**
 * ModifyTargetGroup / ModifyTargetGroupAttributes for the settings the manifest declares, and only those: a
 * target group is often shared or managed elsewhere, so what the manifest leaves out is not ours to reset.
 */
export function planTargetGroup(settings: TargetGroupSettings, group: ObservedTargetGroup): { actions: PlannedAction[]; changes: FieldChange[] } {
  const actions: PlannedAction[] = [];
  const changes: FieldChange[] = [];

  const desiredHealth: JsonRecord = {};
  for (const [field, awsName] of Object.entries(HEALTH_CHECK_FIELDS)) {
    const value = settings[field as keyof typeof HEALTH_CHECK_FIELDS];
    if (value !== undefined) desiredHealth[awsName] = value;
  }
  if (settings.matcher) desiredHealth.Matcher = prune({ HttpCode: settings.matcher.httpCode, GrpcCode: settings.matcher.grpcCode });
  const observedHealth: JsonRecord = {};
  for (const key of Object.keys(desiredHealth)) {
    const value = group.settings[key];
    observedHealth[key] = key === 'Matcher' && value ? pick(value as JsonRecord, Object.keys(desiredHealth.Matcher as JsonRecord)) : value;
  }
  const healthChanges = diffValues(desiredHealth, observedHealth);
  if (healthChanges.length > 0) {
    changes.push(...healthChanges.map((c) => ({ ...c, path: ['targetGroup', group.name, ...c.path] })));
    const changed = Object.fromEntries(Object.keys(desiredHealth).filter((key) => healthChanges.some((c) => c.path[0] === key)).map((key) => [key, desiredHealth[key]]));
    actions.push({
      kind: 'ModifyTargetGroup',
      api: 'elbv2',
      reason: `health check settings of target group ${group.name} differ`,
      resourceKey: group.arn,
      input: { TargetGroupArn: group.arn, ...changed },
    });
  }

  const desiredAttributes = Object.fromEntries(Object.entries(settings.attributes ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const differing = Object.keys(desiredAttributes).filter((key) => group.attributes?.[key] !== desiredAttributes[key]);
  if (differing.length > 0) {
    for (const key of differing) {
      const observed = group.attributes?.[key];
      changes.push({ path: ['targetGroup', group.name, 'attributes', key], kind: observed === undefined ? 'added' : 'changed', desired: desiredAttributes[key], ...(observed !== undefined ? { observed } : {}) });
    }
    actions.push({
      kind: 'ModifyTargetGroupAttributes',
      api: 'elbv2',
      reason: `attributes ${differing.join(', ')} of target group ${group.name} differ`,
      resourceKey: group.arn,
      input: { TargetGroupArn: group.arn, Attributes: differing.map((key) => ({ Key: key, Value: desiredAttributes[key] })) },
    });
  }
  return { actions, changes };
}

function pick(record: JsonRecord, keys: string[]): JsonRecord {
  return Object.fromEntries(keys.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]));
}
