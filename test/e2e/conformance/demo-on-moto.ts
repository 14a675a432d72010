/**
 * Builds the demo's AWS account (desired-state/.sandbox/seed.yaml) in moto through the public APIs, the way a user
 * would build it in a real account, and rewrites a copy of desired-state/ to name what moto created: moto makes
 * its own ARNs and ids, where the seed pins them.
 */
import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { Network, ScriptClients } from './script.js';

interface ForwardSeed {
  targetGroup: string;
  weight?: number;
}
interface ListenerSeed {
  port: number;
  arn?: string;
  forward?: ForwardSeed[];
  fixedResponse?: { statusCode: string | number; contentType?: string; messageBody?: string };
  rules?: { arn?: string; priority: number; conditions: { field: string; values: string[] }[]; forward: ForwardSeed[] }[];
}
interface DemoSeed {
  ecs: { clusters: ({ clusterName: string; capacityProviders?: string[] } | string)[] };
  elbv2: {
    targetGroups: { name: string; arn?: string; protocol: string; port: number; targetType: string; healthCheck?: { path?: string } }[];
    loadBalancers: { name: string; arn?: string; subnets: string[]; securityGroups: string[]; listeners: ListenerSeed[] }[];
  };
}

/** From the seed's pinned ARNs and ids to moto's, longest first so that an ARN is replaced before its parts. */
export type Replacements = [from: string, to: string][];

/** The ARN's resource part after `loadbalancer/` or `:`, as resource labels and rule ARNs embed it. */
const loadBalancerPart = (arn: string) => arn.slice(arn.indexOf('loadbalancer/') + 'loadbalancer/'.length);
const targetGroupPart = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

export async function buildDemoAccount(seedFile: string, clients: ScriptClients, network: Network): Promise<Replacements> {
  const seed = parse(await readFile(seedFile, 'utf8')) as DemoSeed;
  const replacements: Replacements = [];
  for (const cluster of seed.ecs.clusters) {
    const spec = typeof cluster === 'string' ? { clusterName: cluster } : cluster;
    await clients.ecs.send(new CreateClusterCommand({ clusterName: spec.clusterName, capacityProviders: spec.capacityProviders }));
  }
  const groupArns = new Map<string, string>();
  for (const group of seed.elbv2.targetGroups) {
    const { TargetGroups } = await clients.elbv2.send(
      new CreateTargetGroupCommand({ Name: group.name, Protocol: group.protocol as 'HTTP', Port: group.port, TargetType: group.targetType as 'ip', VpcId: network.vpcId, HealthCheckPath: group.healthCheck?.path }),
    );
    const arn = TargetGroups?.[0]?.TargetGroupArn ?? '';
    groupArns.set(group.name, arn);
    if (group.arn) replacements.push([group.arn, arn], [targetGroupPart(group.arn), targetGroupPart(arn)]);
  }
  const forward = (targets: ForwardSeed[]): Action[] => [
    { Type: 'forward', ForwardConfig: { TargetGroups: targets.map(({ targetGroup, weight }) => ({ TargetGroupArn: groupArns.get(targetGroup) ?? targetGroup, Weight: weight ?? 1 })) } },
  ];
  for (const balancer of seed.elbv2.loadBalancers) {
    const { LoadBalancers } = await clients.elbv2.send(new CreateLoadBalancerCommand({ Name: balancer.name, Subnets: [...network.subnets], SecurityGroups: [network.securityGroup] }));
    const balancerArn = LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    for (const listener of balancer.listeners) {
      const defaultActions: Action[] = listener.forward
        ? forward(listener.forward)
        : [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: String(listener.fixedResponse?.statusCode), ContentType: listener.fixedResponse?.contentType, MessageBody: listener.fixedResponse?.messageBody } }];
      const { Listeners } = await clients.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: balancerArn, Protocol: 'HTTP', Port: listener.port, DefaultActions: defaultActions }));
      for (const rule of listener.rules ?? []) {
        const { Rules } = await clients.elbv2.send(
          new CreateRuleCommand({
            ListenerArn: Listeners?.[0]?.ListenerArn,
            Priority: rule.priority,
            Conditions: rule.conditions.map(({ field, values }) => ({ Field: field, Values: values })),
            Actions: forward(rule.forward),
          }),
        );
        if (rule.arn) replacements.push([rule.arn, Rules?.[0]?.RuleArn ?? '']);
      }
    }
    if (balancer.arn) replacements.push([balancer.arn, balancerArn], [loadBalancerPart(balancer.arn), loadBalancerPart(balancerArn)]);
    for (const [index, subnet] of balancer.subnets.entries()) replacements.push([subnet, network.subnets[index % 2]!]);
    for (const group of balancer.securityGroups) replacements.push([group, network.securityGroup]);
  }
  return replacements.sort(([a], [b]) => b.length - a.length);
}

/** Rewrites every manifest under `dir` (recursively) with the replacements. */
export async function rewriteManifests(dir: string, replacements: Replacements): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ya?ml|json)$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    let text = await readFile(file, 'utf8');
    for (const [from, to] of replacements) text = text.split(from).join(to);
    await writeFile(file, text);
  }
}
