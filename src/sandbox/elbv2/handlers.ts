import { AwsError } from '../core/errors.js';
import type { Handlers } from '../core/service.js';
import { parseActions, parseConditions, validationError } from './actions.js';
import type { LoadBalancerKind } from './arns.js';
import { describeHealth } from './health.js';
import { MAX_DESCRIBE_TAGS_ARNS, MAX_TARGET_GROUPS_PER_DESCRIBE, targetKey, type HealthCheck, type Listener, type LoadBalancer, type Rule, type TargetGroup } from './model.js';
import { pageOf } from './paging.js';
import { ParamReader } from './params.js';
import { notFound, type Elbv2State, type TargetSpec } from './state.js';

const read = (input: unknown): ParamReader => ParamReader.of(input, validationError);
const invalidMarker = (): AwsError => validationError('The marker is not valid');

const LOAD_BALANCER_TYPES: Record<string, LoadBalancerKind> = { application: 'app', network: 'net' };
const TYPE_NAMES: Record<LoadBalancerKind, string> = { app: 'application', net: 'network' };

export function describeLoadBalancer(lb: LoadBalancer): Record<string, unknown> {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
    CreatedTime: new Date(lb.createdAt),
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: 'active' },
    Type: TYPE_NAMES[lb.kind],
    AvailabilityZones: lb.availabilityZones,
    SecurityGroups: lb.securityGroups,
    IpAddressType: lb.ipAddressType,
  };
}

export function describeTargetGroup(group: TargetGroup, state: Elbv2State): Record<string, unknown> {
  const hc = group.healthCheck;
  const lbArn = state.loadBalancerOf(group.arn);
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    Protocol: group.protocol,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.path,
    Matcher: { HttpCode: hc.matcher },
    LoadBalancerArns: lbArn === undefined ? [] : [lbArn],
    TargetType: group.targetType,
    ProtocolVersion: group.protocolVersion,
    IpAddressType: group.ipAddressType,
  };
}

export function describeListener(listener: Listener, state: Elbv2State): Record<string, unknown> {
  return {
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.protocol,
    DefaultActions: state.defaultActions(listener),
    ...(listener.certificates ? { Certificates: listener.certificates } : {}),
    ...(listener.sslPolicy ? { SslPolicy: listener.sslPolicy } : {}),
  };
}

export function describeRule(rule: Rule): Record<string, unknown> {
  return {
    RuleArn: rule.arn,
    Priority: rule.isDefault ? 'default' : String(rule.priority),
    Conditions: rule.conditions,
    Actions: rule.actions,
    IsDefault: rule.isDefault,
  };
}

const attributeList = (group: TargetGroup): Array<{ Key: string; Value: string }> => [...group.attributes].map(([Key, Value]) => ({ Key, Value }));

/** Tags given at creation; a key given twice is AWS's DuplicateTagKeys. */
function creationTags(params: ParamReader): Map<string, string> | undefined {
  const items = params.structList('Tags');
  const tags = params.keyValues('Tags');
  if (items && tags && tags.size !== items.length) throw new AwsError('DuplicateTagKeys', 'A tag key was specified more than once', 400);
  return tags;
}

function applyTags(state: Elbv2State, arn: string, tags: Map<string, string> | undefined): void {
  if (tags && tags.size > 0) state.addTags([arn], tags);
}

/** Health check fields of CreateTargetGroup / ModifyTargetGroup; absent fields are left out. */
function healthCheckInput(params: ParamReader): Partial<HealthCheck> {
  const changes: Partial<HealthCheck> = {};
  const set = <K extends keyof HealthCheck>(key: K, value: HealthCheck[K] | undefined): void => {
    if (value !== undefined) changes[key] = value;
  };
  set('enabled', params.optBoolean('HealthCheckEnabled'));
  set('protocol', params.optString('HealthCheckProtocol'));
  set('port', params.optString('HealthCheckPort'));
  set('path', params.optString('HealthCheckPath'));
  set('intervalSeconds', params.optNumber('HealthCheckIntervalSeconds'));
  set('timeoutSeconds', params.optNumber('HealthCheckTimeoutSeconds'));
  set('healthyThreshold', params.optNumber('HealthyThresholdCount'));
  set('unhealthyThreshold', params.optNumber('UnhealthyThresholdCount'));
  set('matcher', params.optStruct('Matcher')?.optString('HttpCode'));
  return changes;
}

function targetSpecs(params: ParamReader): TargetSpec[] {
  const items = params.structList('Targets');
  if (!items || items.length === 0) throw validationError('Targets is required');
  return items.map((item) => {
    const port = item.optInt('Port', 1, 65535);
    const availabilityZone = item.optString('AvailabilityZone');
    return { id: item.string('Id'), ...(port !== undefined ? { port } : {}), ...(availabilityZone !== undefined ? { availabilityZone } : {}) };
  });
}

function pageSize(params: ParamReader): number {
  return params.optInt('PageSize', 1, 400) ?? 400;
}

/** Looks every ARN up, failing the whole call with `missing` when one is unknown (AWS's all-or-nothing describes). */
function allOrNotFound<T>(arns: string[], lookup: (arn: string) => T | undefined, missing: () => AwsError): T[] {
  return arns.map((arn) => {
    const found = lookup(arn);
    if (found === undefined) throw missing();
    return found;
  });
}

function paged<T>(key: string, items: T[], params: ParamReader, render: (item: T) => unknown): Record<string, unknown> {
  const { page, next } = pageOf(items, params.optString('Marker'), pageSize(params), invalidMarker);
  return { [key]: page.map(render), ...(next ? { NextMarker: next } : {}) };
}

/**
 * The ELBv2 API over an `Elbv2State`, operation by operation. `visible(createdAt)` lets the sandbox's
 * eventual-consistency fault hide resources created a moment ago from the describes, as AWS sometimes does.
 */
export function elbv2Handlers(state: Elbv2State, visible: (createdAt: number) => boolean = () => true): Handlers {
  const seen = <T extends { createdAt: number }>(item: T | undefined): T | undefined => (item && visible(item.createdAt) ? item : undefined);
  const allSeen = <T extends { createdAt: number }>(items: T[]): T[] => items.filter((item) => visible(item.createdAt));
  return {
    CreateLoadBalancer(input: unknown) {
      const params = read(input);
      const typeName = params.optString('Type') ?? 'application';
      const kind = LOAD_BALANCER_TYPES[typeName];
      if (kind === undefined) throw validationError(`Load balancer type '${typeName}' is not supported by the sandbox; use application or network`);
      const scheme = params.optString('Scheme') ?? 'internet-facing';
      if (scheme !== 'internet-facing' && scheme !== 'internal') throw validationError(`Scheme '${scheme}' is not valid`);
      const tags = creationTags(params);
      const lb = state.createLoadBalancer({
        name: params.string('Name'),
        kind,
        scheme,
        subnets: params.stringList('Subnets') ?? [],
        securityGroups: params.stringList('SecurityGroups') ?? [],
        ipAddressType: params.optString('IpAddressType') ?? 'ipv4',
      });
      applyTags(state, lb.arn, tags);
      return { LoadBalancers: [describeLoadBalancer(lb)] };
    },

    DeleteLoadBalancer(input: unknown) {
      state.deleteLoadBalancer(read(input).string('LoadBalancerArn'));
      return {};
    },

    DescribeLoadBalancers(input: unknown) {
      const params = read(input);
      const arns = params.stringList('LoadBalancerArns');
      const names = params.stringList('Names');
      if (arns?.length && names?.length) throw validationError('Load balancer names and load balancer ARNs cannot be specified at the same time');
      const lbs = arns?.length
        ? allOrNotFound(arns, (arn) => seen(state.loadBalancers.get(arn)), notFound.loadBalancer)
        : names?.length
          ? allOrNotFound(names, (name) => seen(state.loadBalancerNamed(name)), notFound.loadBalancer)
          : allSeen([...state.loadBalancers.values()]);
      return paged('LoadBalancers', lbs, params, describeLoadBalancer);
    },

    CreateTargetGroup(input: unknown) {
      const params = read(input);
      const targetType = params.optString('TargetType') ?? 'instance';
      if (!['ip', 'instance', 'lambda', 'alb'].includes(targetType)) throw validationError(`Target type '${targetType}' is not valid`);
      const tags = creationTags(params);
      const group = state.createTargetGroup({
        name: params.string('Name'),
        protocol: params.optString('Protocol'),
        protocolVersion: params.optString('ProtocolVersion'),
        port: params.optNumber('Port'),
        vpcId: params.optString('VpcId'),
        targetType: targetType as TargetGroup['targetType'],
        ipAddressType: params.optString('IpAddressType'),
        healthCheck: healthCheckInput(params),
      });
      applyTags(state, group.arn, tags);
      return { TargetGroups: [describeTargetGroup(group, state)] };
    },

    DeleteTargetGroup(input: unknown) {
      state.deleteTargetGroup(read(input).string('TargetGroupArn'));
      return {};
    },

    DescribeTargetGroups(input: unknown) {
      const params = read(input);
      const lbArn = params.optString('LoadBalancerArn');
      const arns = params.stringList('TargetGroupArns');
      const names = params.stringList('Names');
      if ([lbArn, arns?.length, names?.length].filter(Boolean).length > 1) {
        throw validationError('Only one of LoadBalancerArn, TargetGroupArns or Names can be specified');
      }
      if ((arns?.length ?? 0) > MAX_TARGET_GROUPS_PER_DESCRIBE || (names?.length ?? 0) > MAX_TARGET_GROUPS_PER_DESCRIBE) {
        throw validationError(`You cannot describe more than '${MAX_TARGET_GROUPS_PER_DESCRIBE}' target groups at a time`);
      }
      let groups: TargetGroup[];
      if (lbArn !== undefined) {
        state.loadBalancer(lbArn);
        groups = allSeen([...state.targetGroups.values()].filter((group) => state.loadBalancerOf(group.arn) === lbArn));
      } else if (arns?.length) {
        groups = allOrNotFound(arns, (arn) => seen(state.targetGroups.get(arn)), notFound.targetGroup);
      } else if (names?.length) {
        groups = allOrNotFound(names, (name) => seen(state.targetGroupNamed(name)), notFound.targetGroup);
      } else {
        groups = allSeen([...state.targetGroups.values()]);
      }
      return paged('TargetGroups', groups, params, (group) => describeTargetGroup(group, state));
    },

    ModifyTargetGroup(input: unknown) {
      const params = read(input);
      const group = state.modifyHealthCheck(params.string('TargetGroupArn'), healthCheckInput(params));
      return { TargetGroups: [describeTargetGroup(group, state)] };
    },

    DescribeTargetGroupAttributes(input: unknown) {
      return { Attributes: attributeList(state.targetGroup(read(input).string('TargetGroupArn'))) };
    },

    ModifyTargetGroupAttributes(input: unknown) {
      const params = read(input);
      const changes = params.keyValues('Attributes');
      if (!changes || changes.size === 0) throw validationError('Attributes is required');
      return { Attributes: attributeList(state.modifyTargetGroupAttributes(params.string('TargetGroupArn'), changes)) };
    },

    RegisterTargets(input: unknown) {
      const params = read(input);
      state.registerTargets(params.string('TargetGroupArn'), targetSpecs(params));
      return {};
    },

    DeregisterTargets(input: unknown) {
      const params = read(input);
      state.deregisterTargets(params.string('TargetGroupArn'), targetSpecs(params));
      return {};
    },

    DescribeTargetHealth(input: unknown) {
      const params = read(input);
      const group = state.targetGroup(params.string('TargetGroupArn'));
      const asked = params.structList('Targets');
      const entries = asked?.length
        ? asked.map((item) => {
            const id = item.string('Id');
            const port = item.optInt('Port', 1, 65535) ?? group.port;
            return { id, port, target: group.targets.get(targetKey(id, port)) };
          })
        : [...group.targets.values()].map((target) => ({ id: target.id, port: target.port, target }));
      return {
        TargetHealthDescriptions: entries.map(({ id, port, target }) => ({
          Target: { Id: id, Port: port, ...(target?.availabilityZone ? { AvailabilityZone: target.availabilityZone } : {}) },
          HealthCheckPort: group.healthCheck.port === 'traffic-port' ? String(port) : group.healthCheck.port,
          TargetHealth: describeHealth(target),
        })),
      };
    },

    CreateListener(input: unknown) {
      const params = read(input);
      const lbArn = params.string('LoadBalancerArn');
      const tags = creationTags(params);
      const listener = state.createListener({
        loadBalancerArn: lbArn,
        port: params.number('Port'),
        protocol: params.optString('Protocol'),
        defaultActions: parseActions(params.structList('DefaultActions'), state.actionScope(lbArn), 'DefaultActions'),
        certificates: params.optList('Certificates'),
        sslPolicy: params.optString('SslPolicy'),
      });
      applyTags(state, listener.arn, tags);
      return { Listeners: [describeListener(listener, state)] };
    },

    ModifyListener(input: unknown) {
      const params = read(input);
      const listener = state.listener(params.string('ListenerArn'));
      const defaultActions = params.structList('DefaultActions');
      const modified = state.modifyListener(listener.arn, {
        port: params.optNumber('Port'),
        protocol: params.optString('Protocol'),
        defaultActions: defaultActions ? parseActions(defaultActions, state.actionScope(listener.loadBalancerArn), 'DefaultActions') : undefined,
        certificates: params.optList('Certificates'),
        sslPolicy: params.optString('SslPolicy'),
      });
      return { Listeners: [describeListener(modified, state)] };
    },

    DeleteListener(input: unknown) {
      state.deleteListener(read(input).string('ListenerArn'));
      return {};
    },

    DescribeListeners(input: unknown) {
      const params = read(input);
      const lbArn = params.optString('LoadBalancerArn');
      const arns = params.stringList('ListenerArns');
      if (lbArn === undefined && !arns?.length) throw validationError('You must specify either listener ARNs or a load balancer ARN');
      const listeners = arns?.length
        ? allOrNotFound(arns, (arn) => seen(state.listeners.get(arn)), notFound.listener)
        : allSeen([...state.loadBalancer(lbArn!).listenerArns].map((arn) => state.listener(arn)));
      return paged('Listeners', listeners, params, (listener) => describeListener(listener, state));
    },

    CreateRule(input: unknown) {
      const params = read(input);
      const listener = state.listener(params.string('ListenerArn'));
      const tags = creationTags(params);
      const rule = state.createRule({
        listenerArn: listener.arn,
        priority: params.number('Priority'),
        conditions: parseConditions(params.structList('Conditions')),
        actions: parseActions(params.structList('Actions'), state.actionScope(listener.loadBalancerArn)),
      });
      applyTags(state, rule.arn, tags);
      return { Rules: [describeRule(rule)] };
    },

    ModifyRule(input: unknown) {
      const params = read(input);
      const rule = state.rule(params.string('RuleArn'));
      const conditions = params.structList('Conditions');
      const actions = params.structList('Actions');
      const modified = state.modifyRule(rule.arn, {
        conditions: conditions ? parseConditions(conditions) : undefined,
        actions: actions ? parseActions(actions, state.actionScope(state.loadBalancerOfRule(rule).arn)) : undefined,
      });
      return { Rules: [describeRule(modified)] };
    },

    DeleteRule(input: unknown) {
      state.deleteRule(read(input).string('RuleArn'));
      return {};
    },

    DescribeRules(input: unknown) {
      const params = read(input);
      const listenerArn = params.optString('ListenerArn');
      const arns = params.stringList('RuleArns');
      if (listenerArn === undefined && !arns?.length) throw validationError('You must specify either listener rule ARNs or a listener ARN');
      const rules = arns?.length ? allOrNotFound(arns, (arn) => seen(state.rules.get(arn)), notFound.rule) : allSeen(state.rulesOf(state.listener(listenerArn!)));
      return paged('Rules', rules, params, describeRule);
    },

    DescribeTags(input: unknown) {
      const arns = read(input).stringList('ResourceArns');
      if (!arns?.length) throw validationError('ResourceArns is required');
      if (arns.length > MAX_DESCRIBE_TAGS_ARNS) throw validationError(`You can specify at most ${MAX_DESCRIBE_TAGS_ARNS} resource ARNs`);
      for (const arn of arns) state.resourceExists(arn);
      return {
        TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: [...state.tagsOf(arn)].map(([Key, Value]) => ({ Key, Value })) })),
      };
    },

    AddTags(input: unknown) {
      const params = read(input);
      const arns = params.stringList('ResourceArns');
      if (!arns?.length) throw validationError('ResourceArns is required');
      const tags = creationTags(params);
      if (!tags?.size) throw validationError('Tags is required');
      state.addTags(arns, tags);
      return {};
    },

    RemoveTags(input: unknown) {
      const params = read(input);
      const arns = params.stringList('ResourceArns');
      if (!arns?.length) throw validationError('ResourceArns is required');
      state.removeTags(arns, params.stringList('TagKeys') ?? []);
      return {};
    },
  };
}
