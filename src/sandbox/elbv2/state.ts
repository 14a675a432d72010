import { AwsError } from '../core/errors.js';
import type { EcsView, Elbv2View, SandboxClock, TargetHealthState } from '../world.js';
import { forwardedGroups, validationError, type ActionScope } from './actions.js';
import { ArnFactory, ARN_PATTERNS, parseLoadBalancerArn, resourceKindOf, type ElbResourceKind, type LoadBalancerKind } from './arns.js';
import { TimerHeap } from '../ecs/heap.js';
import { checkProcess, runDueChecks, startChecking } from './health.js';
import {
  DEFAULT_REQUESTS_PER_SECOND,
  DEFAULT_TARGET_GROUP_ATTRIBUTES,
  MAX_RULES_PER_LISTENER,
  MAX_TAGS_PER_RESOURCE,
  TARGET_GROUP_ATTRIBUTE_CHECKS,
  defaultHealthCheck,
  targetKey,
  type Action,
  type Condition,
  type HealthCheck,
  type Listener,
  type LoadBalancer,
  type Rule,
  type Target,
  type TargetGroup,
} from './model.js';
import { loadOf, ratesOf, sharesOf, type TargetGroupLoad, type TrafficStream } from './traffic.js';

export interface Elbv2StateOptions {
  region: string;
  accountId: string;
  clock: SandboxClock;
  /** Read at call time: ECS may be created after ELBv2. */
  ecs: () => EcsView | undefined;
}

export interface NewLoadBalancer {
  name: string;
  arn?: string;
  kind?: LoadBalancerKind;
  scheme?: LoadBalancer['scheme'];
  subnets?: string[];
  securityGroups?: string[];
  ipAddressType?: string;
}

export interface NewTargetGroup {
  name: string;
  arn?: string;
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  targetType?: TargetGroup['targetType'];
  ipAddressType?: string;
  healthCheck?: Partial<HealthCheck>;
}

export interface NewListener {
  loadBalancerArn: string;
  arn?: string;
  port: number;
  protocol?: string;
  defaultActions: Action[];
  certificates?: unknown[];
  sslPolicy?: string;
  requestsPerSecond?: number;
}

export interface NewRule {
  listenerArn: string;
  arn?: string;
  priority: number;
  conditions: Condition[];
  actions: Action[];
  requestsPerSecond?: number;
}

export interface TargetSpec {
  id: string;
  port?: number;
  availabilityZone?: string;
}

/** One target group's current traffic, with the dimensions CloudWatch reports it under. */
export interface TargetGroupTraffic {
  targetGroupArn: string;
  loadBalancerArn: string;
  load: TargetGroupLoad;
}

const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const notFound = {
  loadBalancer: () => new AwsError('LoadBalancerNotFound', 'One or more load balancers not found', 400),
  targetGroup: () => new AwsError('TargetGroupNotFound', 'One or more target groups not found', 400),
  listener: () => new AwsError('ListenerNotFound', 'One or more listeners not found', 400),
  rule: () => new AwsError('RuleNotFound', 'One or more rules not found', 400),
} as const;

/**
 * The simulated Elastic Load Balancing v2 account: load balancers, listeners, rules, target groups and their
 * targets, indexed for lookups by ARN and name. Health checks and draining progress in `tick`.
 */
export class Elbv2State implements Elbv2View {
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly listeners = new Map<string, Listener>();
  readonly rules = new Map<string, Rule>();
  readonly targetGroups = new Map<string, TargetGroup>();
  private readonly loadBalancerByName = new Map<string, string>();
  private readonly targetGroupByName = new Map<string, string>();
  private readonly tags = new Map<string, Map<string, string>>();
  /** Target group ARN -> the load balancer whose listener actions forward to it (weight 0 included). */
  private readonly usage = new Map<string, string>();
  /** Target group ARN -> how many forward actions name it. */
  private readonly useCount = new Map<string, number>();
  private streams: TrafficStream[] | undefined;
  /** Health checks and drain ends, earliest first, so a tick touches only what is due. */
  private readonly due = new TimerHeap<{ group: TargetGroup; key: string }>();
  private readonly arns: ArnFactory;

  constructor(private readonly options: Elbv2StateOptions) {
    this.arns = new ArnFactory(options.region, options.accountId);
  }

  private now(): number {
    return this.options.clock.now();
  }

  // ---- load balancers ----

  createLoadBalancer(input: NewLoadBalancer): LoadBalancer {
    checkName(input.name, 'load balancer');
    const kind = input.kind ?? 'app';
    const existingArn = this.loadBalancerByName.get(input.name);
    if (existingArn !== undefined) {
      const existing = this.loadBalancers.get(existingArn)!;
      // AWS answers a repeated create with identical settings with the existing load balancer.
      if (existing.kind === kind && (input.arn === undefined || input.arn === existingArn)) return existing;
      throw new AwsError('DuplicateLoadBalancerName', `A load balancer with the name '${input.name}' already exists`, 400);
    }
    const arn = this.explicitArn(input.arn, 'loadbalancer') ?? this.arns.loadBalancer(input.name, kind);
    const { id } = parseLoadBalancerArn(arn);
    const lb: LoadBalancer = {
      arn,
      name: input.name,
      kind,
      scheme: input.scheme ?? 'internet-facing',
      vpcId: 'vpc-0sandbox00000000',
      availabilityZones: (input.subnets ?? []).map((subnet, i) => ({ ZoneName: `${this.options.region}${'abcdef'[i % 6]}`, SubnetId: subnet })),
      securityGroups: input.securityGroups ?? [],
      ipAddressType: input.ipAddressType ?? 'ipv4',
      createdAt: this.now(),
      dnsName: `${input.name}-${parseInt(id.slice(0, 8), 16)}.${this.options.region}.elb.amazonaws.com`,
      listenerArns: new Set(),
    };
    this.loadBalancers.set(arn, lb);
    this.loadBalancerByName.set(lb.name, arn);
    return lb;
  }

  loadBalancer(arn: string): LoadBalancer {
    const lb = this.loadBalancers.get(arn);
    if (!lb) throw notFound.loadBalancer();
    return lb;
  }

  loadBalancerNamed(name: string): LoadBalancer | undefined {
    const arn = this.loadBalancerByName.get(name);
    return arn === undefined ? undefined : this.loadBalancers.get(arn);
  }

  /** Idempotent, like AWS: deleting a missing load balancer succeeds. */
  deleteLoadBalancer(arn: string): void {
    const lb = this.loadBalancers.get(arn);
    if (!lb) return;
    for (const listenerArn of [...lb.listenerArns]) this.deleteListener(listenerArn);
    this.loadBalancers.delete(arn);
    this.loadBalancerByName.delete(lb.name);
    this.tags.delete(arn);
  }

  // ---- target groups ----

  createTargetGroup(input: NewTargetGroup): TargetGroup {
    checkName(input.name, 'target group');
    const existingArn = this.targetGroupByName.get(input.name);
    if (existingArn !== undefined) {
      const existing = this.targetGroups.get(existingArn)!;
      const same = (input.arn === undefined || input.arn === existingArn) && (input.protocol ?? existing.protocol) === existing.protocol && (input.port ?? existing.port) === existing.port;
      if (same) return existing;
      throw new AwsError('DuplicateTargetGroupName', `A target group with the same name '${input.name}' exists, but with different settings`, 400);
    }
    const targetType = input.targetType ?? 'instance';
    if (targetType !== 'lambda' && (input.protocol === undefined || input.port === undefined)) {
      throw validationError('A target group requires a protocol and a port unless its target type is lambda');
    }
    if (input.port !== undefined && (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535)) throw validationError(`Port must be between 1 and 65535, got ${input.port}`);
    const protocol = input.protocol ?? 'HTTP';
    const healthCheck = { ...defaultHealthCheck(protocol), ...input.healthCheck };
    checkHealthCheck(healthCheck);
    const arn = this.explicitArn(input.arn, 'targetgroup') ?? this.arns.targetGroup(input.name);
    const group: TargetGroup = {
      arn,
      name: input.name,
      protocol,
      protocolVersion: input.protocolVersion ?? 'HTTP1',
      port: input.port ?? 0,
      vpcId: input.vpcId ?? 'vpc-0sandbox00000000',
      targetType,
      ipAddressType: input.ipAddressType ?? 'ipv4',
      healthCheck,
      attributes: new Map(DEFAULT_TARGET_GROUP_ATTRIBUTES),
      createdAt: this.now(),
      targets: new Map(),
    };
    this.targetGroups.set(arn, group);
    this.targetGroupByName.set(group.name, arn);
    return group;
  }

  targetGroup(arn: string): TargetGroup {
    const group = this.targetGroups.get(arn);
    if (!group) throw notFound.targetGroup();
    return group;
  }

  targetGroupNamed(name: string): TargetGroup | undefined {
    const arn = this.targetGroupByName.get(name);
    return arn === undefined ? undefined : this.targetGroups.get(arn);
  }

  /** Idempotent for a missing group; refuses a group a listener or rule still forwards to. */
  deleteTargetGroup(arn: string): void {
    const group = this.targetGroups.get(arn);
    if (!group) return;
    if (this.usage.has(arn)) throw new AwsError('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`, 400);
    this.targetGroups.delete(arn);
    this.targetGroupByName.delete(group.name);
    this.tags.delete(arn);
  }

  loadBalancerOf(targetGroupArn: string): string | undefined {
    return this.usage.get(targetGroupArn);
  }

  modifyHealthCheck(arn: string, changes: Partial<HealthCheck>): TargetGroup {
    const group = this.targetGroup(arn);
    const next = { ...group.healthCheck, ...changes };
    checkHealthCheck(next);
    const wasEnabled = group.healthCheck.enabled;
    group.healthCheck = next;
    if (wasEnabled !== next.enabled) {
      for (const [key, target] of group.targets) if (target.phase !== 'draining' && target.phase !== 'unused') this.restartChecks(group, key, target);
    }
    return group;
  }

  /** Validates every change before applying any, like AWS. */
  modifyTargetGroupAttributes(arn: string, changes: Map<string, string>): TargetGroup {
    const group = this.targetGroup(arn);
    for (const [key, value] of changes) {
      const check = TARGET_GROUP_ATTRIBUTE_CHECKS[key];
      if (!check) throw validationError(`Target group attribute key '${key}' is not recognized`);
      if (!check(value)) throw validationError(`Target group attribute '${key}' has an invalid value '${value}'`);
    }
    for (const [key, value] of changes) group.attributes.set(key, value);
    return group;
  }

  // ---- targets ----

  registerTargets(arn: string, specs: TargetSpec[]): void {
    const group = this.targetGroup(arn);
    const now = this.now();
    for (const spec of specs) {
      const port = spec.port ?? group.port;
      if (group.targetType === 'ip' && !IPV4.test(spec.id)) throw new AwsError('InvalidTarget', `The IP address '${spec.id}' is not a valid IPv4 address`, 400);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw validationError(`Target port must be between 1 and 65535, got ${port}`);
    }
    for (const spec of specs) {
      const port = spec.port ?? group.port;
      const key = targetKey(spec.id, port);
      const existing = group.targets.get(key);
      if (existing && existing.phase !== 'draining') continue;
      const target: Target = existing ?? { id: spec.id, port, phase: 'unused', checksRun: 0, streak: 0, nextCheckAt: now };
      if (spec.availabilityZone !== undefined) target.availabilityZone = spec.availabilityZone;
      target.drainUntil = undefined;
      group.targets.set(key, target);
      if (this.usage.has(arn)) this.restartChecks(group, key, target);
      else target.phase = 'unused';
    }
  }

  /** Starts draining each target for the group's deregistration delay; unknown targets are an InvalidTarget error. */
  deregisterTargets(arn: string, specs: TargetSpec[]): void {
    const group = this.targetGroup(arn);
    const keys = specs.map((spec) => targetKey(spec.id, spec.port ?? group.port));
    const missing = keys.filter((key) => !group.targets.has(key));
    if (missing.length > 0) throw new AwsError('InvalidTarget', `The following targets are not registered in target group '${arn}': ${missing.join(', ')}`, 400);
    const delayMs = Number(group.attributes.get('deregistration_delay.timeout_seconds') ?? '300') * 1000;
    const now = this.now();
    for (const key of keys) {
      const target = group.targets.get(key)!;
      if (target.phase === 'draining') continue;
      if (!this.usage.has(arn) || delayMs === 0) {
        group.targets.delete(key);
        continue;
      }
      target.phase = 'draining';
      target.drainUntil = now + delayMs;
      this.due.push(target.drainUntil, { group, key });
    }
  }

  // ---- listeners and rules ----

  /** What validating actions on this load balancer's listeners needs. */
  actionScope(loadBalancerArn: string): ActionScope {
    const lb = this.loadBalancer(loadBalancerArn);
    return {
      loadBalancerArn,
      loadBalancerKind: lb.kind,
      targetGroup: (arn) => this.targetGroups.get(arn),
      otherLoadBalancerOf: (arn) => {
        const user = this.usage.get(arn);
        return user !== undefined && user !== loadBalancerArn ? user : undefined;
      },
    };
  }

  createListener(input: NewListener): Listener {
    const lb = this.loadBalancer(input.loadBalancerArn);
    checkPort(input.port);
    if (this.listenerOnPort(lb, input.port)) throw new AwsError('DuplicateListener', `A listener already exists on port ${input.port}`, 400);
    const protocol = input.protocol ?? (lb.kind === 'app' ? 'HTTP' : 'TCP');
    const arn = this.explicitArn(input.arn, 'listener') ?? this.arns.listener(lb.arn);
    if (!arn.includes(`/${lb.name}/${parseLoadBalancerArn(lb.arn).id}/`)) throw validationError(`Listener ARN '${arn}' does not belong to load balancer '${lb.arn}'`);
    const defaultRule: Rule = {
      arn: this.arns.rule(arn),
      listenerArn: arn,
      isDefault: true,
      priority: Number.POSITIVE_INFINITY,
      conditions: [],
      actions: [],
      requestsPerSecond: input.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND,
      createdAt: this.now(),
    };
    const listener: Listener = {
      arn,
      loadBalancerArn: lb.arn,
      port: input.port,
      protocol,
      defaultRuleArn: defaultRule.arn,
      ruleArns: new Set(),
      createdAt: this.now(),
      ...(input.certificates ? { certificates: input.certificates } : {}),
      ...(input.sslPolicy ? { sslPolicy: input.sslPolicy } : {}),
    };
    this.listeners.set(arn, listener);
    this.rules.set(defaultRule.arn, defaultRule);
    lb.listenerArns.add(arn);
    this.setActions(defaultRule, lb.arn, input.defaultActions);
    return listener;
  }

  listener(arn: string): Listener {
    const listener = this.listeners.get(arn);
    if (!listener) throw notFound.listener();
    return listener;
  }

  modifyListener(arn: string, changes: { port?: number; protocol?: string; defaultActions?: Action[]; certificates?: unknown[]; sslPolicy?: string; requestsPerSecond?: number }): Listener {
    const listener = this.listener(arn);
    const lb = this.loadBalancer(listener.loadBalancerArn);
    if (changes.port !== undefined && changes.port !== listener.port) {
      checkPort(changes.port);
      if (this.listenerOnPort(lb, changes.port)) throw new AwsError('DuplicateListener', `A listener already exists on port ${changes.port}`, 400);
      listener.port = changes.port;
    }
    if (changes.protocol !== undefined) listener.protocol = changes.protocol;
    if (changes.certificates !== undefined) listener.certificates = changes.certificates;
    if (changes.sslPolicy !== undefined) listener.sslPolicy = changes.sslPolicy;
    const defaultRule = this.rules.get(listener.defaultRuleArn)!;
    if (changes.defaultActions !== undefined) this.setActions(defaultRule, lb.arn, changes.defaultActions);
    if (changes.requestsPerSecond !== undefined) defaultRule.requestsPerSecond = changes.requestsPerSecond;
    this.streams = undefined;
    return listener;
  }

  defaultActions(listener: Listener): Action[] {
    return this.rules.get(listener.defaultRuleArn)!.actions;
  }

  deleteListener(arn: string): void {
    const listener = this.listener(arn);
    for (const ruleArn of [listener.defaultRuleArn, ...listener.ruleArns]) {
      this.setActions(this.rules.get(ruleArn)!, listener.loadBalancerArn, []);
      this.rules.delete(ruleArn);
      this.tags.delete(ruleArn);
    }
    this.listeners.delete(arn);
    this.tags.delete(arn);
    this.loadBalancers.get(listener.loadBalancerArn)?.listenerArns.delete(arn);
  }

  createRule(input: NewRule): Rule {
    const listener = this.listener(input.listenerArn);
    checkPriority(input.priority);
    if (listener.ruleArns.size >= MAX_RULES_PER_LISTENER) throw new AwsError('TooManyRules', `A listener can have at most ${MAX_RULES_PER_LISTENER} rules`, 400);
    this.checkPriorityFree(listener, input.priority);
    const arn = this.explicitArn(input.arn, 'listener-rule') ?? this.arns.rule(listener.arn);
    if (!arn.includes(listener.arn.slice(listener.arn.indexOf(':listener/') + ':listener/'.length) + '/')) {
      throw validationError(`Rule ARN '${arn}' does not belong to listener '${listener.arn}'`);
    }
    const rule: Rule = {
      arn,
      listenerArn: listener.arn,
      isDefault: false,
      priority: input.priority,
      conditions: input.conditions,
      actions: [],
      requestsPerSecond: input.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND,
      createdAt: this.now(),
    };
    this.rules.set(arn, rule);
    listener.ruleArns.add(arn);
    this.setActions(rule, listener.loadBalancerArn, input.actions);
    return rule;
  }

  rule(arn: string): Rule {
    const rule = this.rules.get(arn);
    if (!rule) throw notFound.rule();
    return rule;
  }

  /** Replaces the conditions and/or the whole action list, as ModifyRule does. */
  modifyRule(arn: string, changes: { conditions?: Condition[]; actions?: Action[]; requestsPerSecond?: number }): Rule {
    const rule = this.rule(arn);
    if (changes.conditions !== undefined) {
      if (rule.isDefault) throw new AwsError('OperationNotPermitted', 'The conditions of a default rule cannot be modified', 400);
      rule.conditions = changes.conditions;
    }
    if (changes.actions !== undefined) this.setActions(rule, this.listener(rule.listenerArn).loadBalancerArn, changes.actions);
    if (changes.requestsPerSecond !== undefined) rule.requestsPerSecond = changes.requestsPerSecond;
    this.streams = undefined;
    return rule;
  }

  deleteRule(arn: string): void {
    const rule = this.rule(arn);
    if (rule.isDefault) throw new AwsError('OperationNotPermitted', 'Default rule cannot be deleted', 400);
    this.setActions(rule, this.listener(rule.listenerArn).loadBalancerArn, []);
    this.rules.delete(arn);
    this.tags.delete(arn);
    this.listeners.get(rule.listenerArn)?.ruleArns.delete(arn);
  }

  /** The listener's rules in evaluation order, default last. */
  rulesOf(listener: Listener): Rule[] {
    const rules = [...listener.ruleArns].map((arn) => this.rules.get(arn)!);
    rules.sort((a, b) => a.priority - b.priority);
    rules.push(this.rules.get(listener.defaultRuleArn)!);
    return rules;
  }

  loadBalancerOfRule(rule: Rule): LoadBalancer {
    return this.loadBalancer(this.listener(rule.listenerArn).loadBalancerArn);
  }

  private listenerOnPort(lb: LoadBalancer, port: number): Listener | undefined {
    for (const arn of lb.listenerArns) {
      const listener = this.listeners.get(arn)!;
      if (listener.port === port) return listener;
    }
    return undefined;
  }

  private checkPriorityFree(listener: Listener, priority: number): void {
    for (const arn of listener.ruleArns) {
      if (this.rules.get(arn)!.priority === priority) throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`, 400);
    }
  }

  // ---- tags ----

  resourceExists(arn: string): ElbResourceKind {
    const kind = resourceKindOf(arn);
    const found =
      kind === 'loadbalancer' ? this.loadBalancers.has(arn) : kind === 'targetgroup' ? this.targetGroups.has(arn) : kind === 'listener' ? this.listeners.has(arn) : kind === 'listener-rule' ? this.rules.has(arn) : false;
    if (kind === undefined) throw validationError(`'${arn}' is not a valid load balancer, listener, rule or target group ARN`);
    if (!found) throw { loadbalancer: notFound.loadBalancer, targetgroup: notFound.targetGroup, listener: notFound.listener, 'listener-rule': notFound.rule }[kind]();
    return kind;
  }

  tagsOf(arn: string): Map<string, string> {
    return this.tags.get(arn) ?? new Map();
  }

  addTags(arns: string[], tags: Map<string, string>): void {
    for (const arn of arns) this.resourceExists(arn);
    for (const arn of arns) {
      const merged = new Map([...this.tagsOf(arn), ...tags]);
      if (merged.size > MAX_TAGS_PER_RESOURCE) throw new AwsError('TooManyTags', `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags`, 400);
    }
    for (const arn of arns) this.tags.set(arn, new Map([...this.tagsOf(arn), ...tags]));
  }

  removeTags(arns: string[], keys: string[]): void {
    for (const arn of arns) this.resourceExists(arn);
    for (const arn of arns) for (const key of keys) this.tags.get(arn)?.delete(key);
  }

  // ---- simulation ----

  /** Health checks that fell due and drains that finished. */
  tick(now: number): void {
    for (let event = this.due.popDue(now); event !== undefined; event = this.due.popDue(now)) {
      const { group, key } = event;
      const target = group.targets.get(key);
      // Stale wake-ups (deleted group or target, rescheduled check) are skipped.
      if (!target || this.targetGroups.get(group.arn) !== group) continue;
      if (target.phase === 'draining') {
        if (now >= target.drainUntil!) group.targets.delete(key);
        continue;
      }
      if (target.phase === 'unused' || target.phase === 'unavailable' || target.nextCheckAt > now) continue;
      runDueChecks(target, group.healthCheck, now, () => checkProcess(this.options.ecs()?.targetProcess(target.id, target.port)));
      this.due.push(target.nextCheckAt, { group, key });
    }
  }

  private restartChecks(group: TargetGroup, key: string, target: Target): void {
    startChecking(target, group.healthCheck, this.now());
    if (target.phase === 'initial') this.due.push(target.nextCheckAt, { group, key });
  }

  /**
   * Replaces a rule's actions and keeps the in-use index current: new references are counted before old ones
   * are released, so a group kept by the change never flickers out of use.
   */
  private setActions(rule: Rule, loadBalancerArn: string, actions: Action[]): void {
    const before = forwardedGroups(rule.actions);
    rule.actions = actions;
    for (const group of forwardedGroups(actions)) this.acquire(group.TargetGroupArn, loadBalancerArn);
    for (const group of before) this.release(group.TargetGroupArn);
    this.streams = undefined;
  }

  private acquire(targetGroupArn: string, loadBalancerArn: string): void {
    const count = (this.useCount.get(targetGroupArn) ?? 0) + 1;
    this.useCount.set(targetGroupArn, count);
    if (count === 1) {
      this.usage.set(targetGroupArn, loadBalancerArn);
      this.usageChanged(targetGroupArn, true);
    }
  }

  private release(targetGroupArn: string): void {
    const count = (this.useCount.get(targetGroupArn) ?? 0) - 1;
    if (count > 0) {
      this.useCount.set(targetGroupArn, count);
      return;
    }
    this.useCount.delete(targetGroupArn);
    this.usage.delete(targetGroupArn);
    this.usageChanged(targetGroupArn, false);
  }

  /** A group coming into use starts health-checking its targets, as in AWS; one going out of use stops. */
  private usageChanged(targetGroupArn: string, inUse: boolean): void {
    const group = this.targetGroups.get(targetGroupArn);
    if (!group) return;
    for (const [key, target] of group.targets) {
      if (target.phase === 'draining') continue;
      if (inUse) this.restartChecks(group, key, target);
      else target.phase = 'unused';
    }
  }

  private trafficStreams(): TrafficStream[] {
    this.streams ??= [...this.rules.values()].map((rule) => ({ requestsPerSecond: rule.requestsPerSecond, groups: forwardedGroups(rule.actions) }));
    return this.streams;
  }

  /** Each in-use target group's simulated traffic right now (see traffic.ts for the model). */
  targetGroupTraffic(): TargetGroupTraffic[] {
    const rates = ratesOf(this.trafficStreams());
    const ecs = this.options.ecs();
    const traffic: TargetGroupTraffic[] = [];
    for (const [arn, loadBalancerArn] of this.usage) {
      const group = this.targetGroups.get(arn);
      if (!group) continue;
      const targets = [...group.targets.values()].map((target) => ({ phase: target.phase, process: ecs?.targetProcess(target.id, target.port) }));
      traffic.push({ targetGroupArn: arn, loadBalancerArn, load: loadOf(rates.get(arn) ?? 0, targets) });
    }
    return traffic;
  }

  // ---- Elbv2View, for ECS ----

  targetGroupExists(targetGroupArn: string): boolean {
    return this.targetGroups.has(targetGroupArn);
  }

  targetGroupHasLoadBalancer(targetGroupArn: string): boolean {
    return this.loadBalancerOf(targetGroupArn) !== undefined;
  }

  targetGroupArn(nameOrArn: string): string | undefined {
    if (this.targetGroups.has(nameOrArn)) return nameOrArn;
    return this.targetGroupByName.get(nameOrArn);
  }

  /** A task registering itself; a group deleted meanwhile is ignored, as the task has nothing to undo. */
  registerTarget(targetGroupArn: string, ip: string, port: number): void {
    if (this.targetGroups.has(targetGroupArn)) this.registerTargets(targetGroupArn, [{ id: ip, port }]);
  }

  deregisterTarget(targetGroupArn: string, ip: string, port: number): void {
    if (this.targetGroups.get(targetGroupArn)?.targets.has(targetKey(ip, port))) this.deregisterTargets(targetGroupArn, [{ id: ip, port }]);
  }

  targetHealth(targetGroupArn: string, ip: string, port: number): TargetHealthState | undefined {
    return this.targetGroups.get(targetGroupArn)?.targets.get(targetKey(ip, port))?.phase;
  }

  trafficShares(): Map<string, number> {
    return sharesOf(this.trafficStreams());
  }

  forwardRule(ruleArn: string, weights: Array<{ targetGroupArn: string; weight: number }>): boolean {
    const rule = this.rules.get(ruleArn);
    if (!rule || weights.some((w) => !this.targetGroups.has(w.targetGroupArn))) return false;
    const targetGroups = weights.map((w) => ({ TargetGroupArn: w.targetGroupArn, Weight: w.weight }));
    const action: Action = { Type: 'forward', Order: 1, ForwardConfig: { TargetGroups: targetGroups, TargetGroupStickinessConfig: { Enabled: false } } };
    if (targetGroups.length === 1) action.TargetGroupArn = targetGroups[0]!.TargetGroupArn;
    this.modifyRule(ruleArn, { actions: [action] });
    return true;
  }

  /** JSON-friendly view of everything, for the admin state endpoint. */
  snapshot(): unknown {
    return {
      loadBalancers: [...this.loadBalancers.values()].map((lb) => ({
        arn: lb.arn,
        name: lb.name,
        listeners: [...lb.listenerArns].map((arn) => {
          const listener = this.listeners.get(arn)!;
          return {
            arn,
            port: listener.port,
            rules: this.rulesOf(listener).map((rule) => ({
              arn: rule.arn,
              priority: rule.isDefault ? 'default' : rule.priority,
              requestsPerSecond: rule.requestsPerSecond,
              forward: forwardedGroups(rule.actions),
            })),
          };
        }),
      })),
      targetGroups: [...this.targetGroups.values()].map((group) => ({
        arn: group.arn,
        name: group.name,
        loadBalancerArn: this.usage.get(group.arn) ?? null,
        targets: [...group.targets.values()].map((t) => ({ id: t.id, port: t.port, state: t.phase, ...(t.drainUntil !== undefined ? { drainUntil: new Date(t.drainUntil).toISOString() } : {}) })),
      })),
    };
  }

  private explicitArn(arn: string | undefined, kind: ElbResourceKind): string | undefined {
    if (arn === undefined) return undefined;
    if (!ARN_PATTERNS[kind].test(arn)) throw validationError(`'${arn}' is not a valid ${kind} ARN`);
    const taken = kind === 'loadbalancer' ? this.loadBalancers.has(arn) : kind === 'targetgroup' ? this.targetGroups.has(arn) : kind === 'listener' ? this.listeners.has(arn) : this.rules.has(arn);
    if (taken) throw validationError(`ARN '${arn}' is already in use`);
    return arn;
  }
}

function checkName(name: string, what: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw validationError(`The ${what} name '${name}' must have 1-32 characters, alphanumeric or hyphens, and cannot begin or end with a hyphen`);
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw validationError(`Port must be between 1 and 65535, got ${port}`);
}

function checkPriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 1 || priority > 50000) throw validationError(`Priority must be between 1 and 50000, got ${priority}`);
}

const HEALTH_CHECK_RANGES: Array<[keyof HealthCheck, string, number, number]> = [
  ['intervalSeconds', 'HealthCheckIntervalSeconds', 5, 300],
  ['timeoutSeconds', 'HealthCheckTimeoutSeconds', 2, 120],
  ['healthyThreshold', 'HealthyThresholdCount', 2, 10],
  ['unhealthyThreshold', 'UnhealthyThresholdCount', 2, 10],
];

export function checkHealthCheck(healthCheck: HealthCheck): void {
  for (const [field, name, min, max] of HEALTH_CHECK_RANGES) {
    const value = healthCheck[field] as number;
    if (!Number.isInteger(value) || value < min || value > max) throw validationError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  if (healthCheck.timeoutSeconds >= healthCheck.intervalSeconds) throw validationError('Health check timeout must be smaller than the interval');
  if (!healthCheck.path.startsWith('/')) throw validationError(`Health check path '${healthCheck.path}' must begin with '/'`);
  if (healthCheck.port !== 'traffic-port' && !/^\d+$/.test(healthCheck.port)) throw validationError(`Health check port '${healthCheck.port}' must be 'traffic-port' or a port number`);
}

/** The traffic CloudWatch turns into AWS/ApplicationELB metrics; none when the sandbox runs without ELBv2. */
export function trafficOf(view: Elbv2View | undefined): TargetGroupTraffic[] {
  return view instanceof Elbv2State ? view.targetGroupTraffic() : [];
}
