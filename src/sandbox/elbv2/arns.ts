import { createHash } from 'node:crypto';

/** Where generated ARNs live, and a counter so that recreating a name still yields a fresh id. */
export class ArnFactory {
  private sequence = 0;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  private prefix(): string {
    return `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}`;
  }

  /** 16 hex digits, like AWS's resource ids; deterministic for a given creation order. */
  private nextId(seed: string): string {
    this.sequence += 1;
    return createHash('sha256').update(`${seed}#${this.sequence}`).digest('hex').slice(0, 16);
  }

  loadBalancer(name: string, type: LoadBalancerKind): string {
    return `${this.prefix()}:loadbalancer/${type}/${name}/${this.nextId(`lb/${name}`)}`;
  }

  targetGroup(name: string): string {
    return `${this.prefix()}:targetgroup/${name}/${this.nextId(`tg/${name}`)}`;
  }

  listener(loadBalancerArn: string): string {
    const { kind, name, id } = parseLoadBalancerArn(loadBalancerArn);
    return `${this.prefix()}:listener/${kind}/${name}/${id}/${this.nextId(`listener/${loadBalancerArn}`)}`;
  }

  rule(listenerArn: string): string {
    const path = listenerArn.slice(listenerArn.indexOf(':listener/') + ':listener/'.length);
    return `${this.prefix()}:listener-rule/${path}/${this.nextId(`rule/${listenerArn}`)}`;
  }
}

export type LoadBalancerKind = 'app' | 'net';

/** `arn:...:loadbalancer/app/demo-alb/50dc6c495c0c9188` -> kind, name, id. */
export function parseLoadBalancerArn(arn: string): { kind: string; name: string; id: string } {
  const match = /:loadbalancer\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(arn);
  if (!match) throw new Error(`not a load balancer ARN: ${arn}`);
  return { kind: match[1]!, name: match[2]!, id: match[3]! };
}

/** The resource part CloudWatch uses as a dimension value: `app/demo-alb/50dc...`, `targetgroup/web/73e2...`. */
export function arnSuffix(arn: string): string {
  const marker = arn.indexOf(':loadbalancer/');
  if (marker >= 0) return arn.slice(marker + ':loadbalancer/'.length);
  return arn.slice(arn.lastIndexOf(':') + 1);
}

export type ElbResourceKind = 'loadbalancer' | 'targetgroup' | 'listener' | 'listener-rule';

export function resourceKindOf(arn: string): ElbResourceKind | undefined {
  const match = /^arn:aws[\w-]*:elasticloadbalancing:[^:]*:\d*:(loadbalancer|targetgroup|listener|listener-rule)\//.exec(arn);
  return match?.[1] as ElbResourceKind | undefined;
}

export const ARN_PATTERNS: Record<ElbResourceKind, RegExp> = {
  loadbalancer: /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:loadbalancer\/(app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
  targetgroup: /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
  listener: /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:listener\/(app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
  'listener-rule': /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:listener-rule\/(app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
};
