import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { installAttemptMiddleware, isMutatingOperation, operationName } from './calls.js';
import { installEndpointFailureMiddleware } from './endpoint-errors.js';
import type { AwsApi, AwsCallObserver } from './calls.js';
import { ApiRateLimiter, systemClock } from './rate-limit.js';
import type { LimiterClock, RateLimitSettings } from './rate-limit.js';

export interface AwsClients {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  autoscaling: ApplicationAutoScalingClient;
  cloudwatch: CloudWatchClient;
}

/**
 * Client-side limits kept below AWS's documented throttling buckets, so a burst of reconciles slows down here
 * instead of collecting ThrottlingExceptions. ECS: ~20/s sustained reads with a burst of 50; RegisterTaskDefinition
 * has its own bucket (1/s, burst 20), as do the service-mutating calls. The other APIs get conservative values.
 */
export const DEFAULT_RATE_LIMITS: Record<AwsApi, RateLimitSettings> = {
  ecs: {
    api: { ratePerSecond: 20, burst: 50 },
    operations: {
      RegisterTaskDefinition: { ratePerSecond: 1, burst: 20 },
      DeregisterTaskDefinition: { ratePerSecond: 1, burst: 20 },
      CreateService: { ratePerSecond: 5, burst: 10 },
      UpdateService: { ratePerSecond: 5, burst: 10 },
    },
  },
  elbv2: { api: { ratePerSecond: 10, burst: 20 } },
  autoscaling: { api: { ratePerSecond: 10, burst: 20 } },
  cloudwatch: { api: { ratePerSecond: 20, burst: 50 } },
};

/** DEFAULT_RATE_LIMITS with every rate and burst multiplied by `factor` (an account with raised API quotas). */
export function scaledRateLimits(factor: number): Record<AwsApi, RateLimitSettings> {
  if (!(factor > 0)) throw new Error(`the rate limit scale must be a positive number, got ${factor}`);
  const scale = ({ ratePerSecond, burst }: RateLimitSettings['api']) => ({ ratePerSecond: ratePerSecond * factor, burst: Math.max(1, Math.round(burst * factor)) });
  const scaled = (settings: RateLimitSettings): RateLimitSettings => ({
    api: scale(settings.api),
    ...(settings.operations ? { operations: Object.fromEntries(Object.entries(settings.operations).map(([operation, bucket]) => [operation, scale(bucket)])) } : {}),
  });
  return Object.fromEntries(Object.entries(DEFAULT_RATE_LIMITS).map(([api, settings]) => [api, scaled(settings)])) as Record<AwsApi, RateLimitSettings>;
}

export interface AwsClientOptions {
  /** Overrides AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> for every client (tests and the sandbox). */
  endpoint?: string;
  /** Overrides AWS_REGION. */
  region?: string;
  /** SDK retry mode; both back off with jitter on throttling. Default `standard`. */
  retryMode?: 'standard' | 'adaptive';
  /** Attempts per call including the first. Default 3 (the SDK's). */
  maxAttempts?: number;
  observer?: AwsCallObserver;
  /** Per-API limits merged over DEFAULT_RATE_LIMITS; `false` turns client-side limiting off. */
  rateLimits?: Partial<Record<AwsApi, RateLimitSettings>> | false;
  clock?: LimiterClock;
  /** Passed to every client unchanged (credentials, requestHandler, logger...). */
  clientConfig?: Record<string, unknown>;
  /**
   * Called right before each attempt of a mutating call is sent (after the rate limiter's wait); throwing refuses
   * the call. Leader election's fence: a replica whose lease lapsed must not write.
   */
  beforeMutatingCall?: (call: { api: AwsApi; operation: string }) => void;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(`maxAttempts must be a positive integer, got ${String(options.maxAttempts)}`);
  }
  const config = {
    ...options.clientConfig,
    retryMode: options.retryMode ?? 'standard',
    maxAttempts,
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  const clock = options.clock ?? systemClock;
  const clients: AwsClients = {
    ecs: new ECSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    autoscaling: new ApplicationAutoScalingClient(config),
    cloudwatch: new CloudWatchClient(config),
  };
  for (const api of Object.keys(clients) as AwsApi[]) {
    const limits = options.rateLimits === false ? undefined : (options.rateLimits?.[api] ?? DEFAULT_RATE_LIMITS[api]);
    installAttemptMiddleware(clients[api].middlewareStack as never, {
      api,
      clock,
      observer: options.observer,
      limiter: limits ? new ApiRateLimiter(limits, clock) : undefined,
    });
    installEndpointFailureMiddleware(clients[api] as never);
    if (options.beforeMutatingCall) installMutatingCallCheck(clients[api] as never, api, options.beforeMutatingCall);
  }
  return clients;
}

export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}

/**
 * Runs `check` before every attempt of a mutating call. At low priority in the `deserialize` step it sits inside
 * the attempt middleware, so it runs after the rate limiter's wait, immediately before the request is sent, and a
 * refusal is counted as that attempt's error. The error carries no retryable marker, so the SDK does not retry it.
 */
function installMutatingCallCheck(client: { middlewareStack: { add(middleware: never, options: { step: 'deserialize'; priority: 'low'; name: string; tags: string[] }): void } }, api: AwsApi, check: NonNullable<AwsClientOptions['beforeMutatingCall']>): void {
  const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
    const operation = operationName(context.commandName);
    if (isMutatingOperation(operation)) check({ api, operation });
    return next(args);
  };
  client.middlewareStack.add(middleware as never, { step: 'deserialize', priority: 'low', name: 'ecsReconcilerMutatingCallCheck', tags: ['ECS_RECONCILER'] });
}
