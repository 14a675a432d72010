import { AwsError } from '../core/errors.js';
import type { Action, Condition, TargetGroup, WeightedTargetGroup } from './model.js';
import { MAX_FORWARD_WEIGHT, MAX_TARGET_GROUPS_PER_FORWARD } from './model.js';
import type { ParamReader } from './params.js';

export const validationError = (message: string): AwsError => new AwsError('ValidationError', message, 400);

/** What validating a listener's or rule's actions needs to know about the rest of the account. */
export interface ActionScope {
  targetGroup(arn: string): TargetGroup | undefined;
  loadBalancerArn: string;
  loadBalancerKind: string;
  /** The other load balancer a target group already serves, if any. */
  otherLoadBalancerOf(targetGroupArn: string): string | undefined;
}

const TERMINAL_TYPES = new Set(['forward', 'fixed-response', 'redirect']);
const KNOWN_TYPES = new Set([...TERMINAL_TYPES, 'authenticate-oidc', 'authenticate-cognito']);
const APPLICATION_PROTOCOLS = new Set(['HTTP', 'HTTPS']);

/**
 * Validates an action list like AWS does (ModifyRule and ModifyListener replace the whole list) and returns it
 * in the shape AWS describes it back: every forward action carries a ForwardConfig with weights, plus the
 * single TargetGroupArn when it forwards to exactly one group.
 */
export function parseActions(items: ParamReader[] | undefined, scope: ActionScope, field = 'Actions'): Action[] {
  if (!items || items.length === 0) throw validationError(`${field}: at least one action must be specified`);
  const actions = items.map((item, index) => parseAction(item, index, scope));
  const terminal = actions.filter((action) => TERMINAL_TYPES.has(action.Type));
  if (terminal.length !== 1) {
    throw new AwsError('InvalidLoadBalancerAction', `${field} must contain exactly one forward, fixed-response or redirect action`, 400);
  }
  const orders = new Set(actions.map((action) => action.Order));
  if (orders.size !== actions.length) throw validationError(`${field}: each action must have a unique Order`);
  return actions.sort((a, b) => a.Order - b.Order);
}

function parseAction(item: ParamReader, index: number, scope: ActionScope): Action {
  const type = item.string('Type');
  if (!KNOWN_TYPES.has(type)) throw validationError(`Action type '${type}' is not valid`);
  const order = item.optInt('Order', 1, 50000) ?? index + 1;
  if (type === 'forward') return { Type: type, Order: order, ...parseForward(item, scope) };
  if (type === 'fixed-response') return { Type: type, Order: order, FixedResponseConfig: requiredConfig(item, 'FixedResponseConfig', type) };
  if (type === 'redirect') return { Type: type, Order: order, RedirectConfig: requiredConfig(item, 'RedirectConfig', type) };
  return { Type: type, Order: order };
}

function requiredConfig(item: ParamReader, name: string, type: string): Record<string, unknown> {
  const raw = item.raw(name);
  if (raw === undefined || raw === null || typeof raw !== 'object') throw validationError(`A ${type} action requires ${name}`);
  return raw as Record<string, unknown>;
}

function parseForward(item: ParamReader, scope: ActionScope): Pick<Action, 'TargetGroupArn' | 'ForwardConfig'> {
  const single = item.optString('TargetGroupArn');
  const config = item.optStruct('ForwardConfig');
  const tuples = config?.structList('TargetGroups');
  let groups: WeightedTargetGroup[];
  if (tuples && tuples.length > 0) {
    groups = tuples.map((tuple) => ({ TargetGroupArn: tuple.string('TargetGroupArn'), Weight: forwardWeight(tuple) }));
    if (single !== undefined && (groups.length !== 1 || groups[0]!.TargetGroupArn !== single)) {
      throw validationError('When both TargetGroupArn and ForwardConfig are specified, ForwardConfig must contain only that target group');
    }
  } else if (single !== undefined) {
    groups = [{ TargetGroupArn: single, Weight: 1 }];
  } else {
    throw validationError('A forward action requires TargetGroupArn or ForwardConfig.TargetGroups');
  }
  if (groups.length > MAX_TARGET_GROUPS_PER_FORWARD) {
    throw validationError(`A forward action can have at most ${MAX_TARGET_GROUPS_PER_FORWARD} target groups, got ${groups.length}`);
  }
  const arns = groups.map((group) => group.TargetGroupArn);
  if (new Set(arns).size !== arns.length) throw validationError('Each target group can appear only once in a forward action');
  checkTargetGroups(arns, scope);
  const stickiness = config?.optStruct('TargetGroupStickinessConfig');
  const enabled = stickiness?.optBoolean('Enabled') ?? false;
  const duration = stickiness?.optInt('DurationSeconds', 1, 604800);
  if (enabled && duration === undefined) throw validationError('TargetGroupStickinessConfig.DurationSeconds is required when stickiness is enabled');
  return {
    ...(groups.length === 1 ? { TargetGroupArn: groups[0]!.TargetGroupArn } : {}),
    ForwardConfig: {
      TargetGroups: groups,
      TargetGroupStickinessConfig: enabled ? { Enabled: true, DurationSeconds: duration! } : { Enabled: false },
    },
  };
}

function forwardWeight(tuple: ParamReader): number {
  const weight = tuple.optNumber('Weight') ?? 1;
  if (!Number.isInteger(weight) || weight < 0 || weight > MAX_FORWARD_WEIGHT) {
    throw validationError(`The weight for each target group must be between 0 and ${MAX_FORWARD_WEIGHT}, inclusive`);
  }
  return weight;
}

function checkTargetGroups(arns: string[], scope: ActionScope): void {
  const missing = arns.filter((arn) => scope.targetGroup(arn) === undefined);
  if (missing.length > 0) throw new AwsError('TargetGroupNotFound', `One or more target groups not found: ${missing.join(', ')}`, 400);
  const groups = arns.map((arn) => scope.targetGroup(arn)!);
  const application = scope.loadBalancerKind === 'app';
  for (const group of groups) {
    const compatible = application ? group.targetType === 'lambda' || APPLICATION_PROTOCOLS.has(group.protocol) : !APPLICATION_PROTOCOLS.has(group.protocol);
    if (!compatible) {
      throw new AwsError('InvalidConfigurationRequest', `Target group '${group.arn}' has protocol ${group.protocol}, which an ${application ? 'application' : 'network'} load balancer cannot forward to`, 400);
    }
    const other = scope.otherLoadBalancerOf(group.arn);
    if (other !== undefined) {
      throw new AwsError('TargetGroupAssociationLimit', `The following target groups cannot be associated with more than one load balancer: ${group.arn}`, 400);
    }
  }
  if (groups.length > 1 && groups.some((group) => group.targetType === 'lambda')) {
    throw new AwsError('InvalidConfigurationRequest', 'A Lambda target group cannot be combined with other target groups in a forward action', 400);
  }
}

const CONDITION_CONFIGS: Record<string, string> = {
  'path-pattern': 'PathPatternConfig',
  'host-header': 'HostHeaderConfig',
  'http-header': 'HttpHeaderConfig',
  'query-string': 'QueryStringConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'source-ip': 'SourceIpConfig',
};

/** Rule conditions, echoed back with both `Values` and the typed config where AWS fills both. */
export function parseConditions(items: ParamReader[] | undefined): Condition[] {
  if (!items || items.length === 0) throw validationError('A rule requires at least one condition');
  return items.map((item) => {
    const field = item.string('Field');
    const configName = CONDITION_CONFIGS[field];
    if (configName === undefined) throw validationError(`Condition field '${field}' is not valid; use one of ${Object.keys(CONDITION_CONFIGS).join(', ')}`);
    const values = item.stringList('Values');
    const config = item.raw(configName);
    if (values === undefined && (config === undefined || config === null)) throw validationError(`Condition '${field}' requires Values or ${configName}`);
    const condition: Condition = { Field: field };
    if (values !== undefined) condition.Values = values;
    if (config !== undefined && config !== null) condition[configName] = config;
    else if (field === 'path-pattern' || field === 'host-header') condition[configName] = { Values: values };
    return condition;
  });
}

/** Every target group an action list forwards to, with its weight. */
export function forwardedGroups(actions: readonly Action[]): WeightedTargetGroup[] {
  return actions.flatMap((action) => action.ForwardConfig?.TargetGroups ?? []);
}
