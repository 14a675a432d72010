import type { ApiRateLimiter, LimiterClock } from './rate-limit.js';

export type AwsApi = 'ecs' | 'elbv2' | 'autoscaling' | 'cloudwatch';
export type AwsCallOutcome = 'ok' | 'throttled' | 'error';

/** One attempt of one AWS call (a retried call reports each attempt). */
export interface AwsCallEvent {
  api: AwsApi;
  operation: string;
  outcome: AwsCallOutcome;
  durationSeconds: number;
  mutating: boolean;
  /** For `error` and `throttled`: AWS's error code, or the network error's (`ECONNREFUSED`...). */
  errorCode?: string;
}

export type AwsCallObserver = (event: AwsCallEvent) => void;

const READ_PREFIXES = ['Describe', 'List', 'Get'];

/** Describe/List/Get are reads; every other operation changes something. */
export function isMutatingOperation(operation: string): boolean {
  return !READ_PREFIXES.some((prefix) => operation.startsWith(prefix));
}

/** The error codes the SDK's own retry strategy treats as throttling (smithy service-error-classification). */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; Code?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  if (candidate.$retryable?.throttling === true) return true;
  if (candidate.$metadata?.httpStatusCode === 429) return true;
  return [candidate.name, candidate.Code, candidate.code].some((code) => typeof code === 'string' && THROTTLING_CODES.has(code));
}

/** The code an error carries: AWS's exception name, or Node's network code. */
export function errorCodeOf(error: unknown): string | undefined {
  const candidate = error as { name?: unknown; code?: unknown } | undefined;
  return [candidate?.code, candidate?.name].find((value): value is string => typeof value === 'string' && value !== '' && value !== 'Error');
}

export function classifyOutcome(error: unknown): AwsCallOutcome {
  if (error === undefined) return 'ok';
  return isThrottlingError(error) ? 'throttled' : 'error';
}

/** The command name as AWS spells the operation: `DescribeServicesCommand` -> `DescribeServices`. */
export function operationName(commandName: string | undefined): string {
  if (!commandName) return 'Unknown';
  return commandName.endsWith('Command') ? commandName.slice(0, -'Command'.length) : commandName;
}

interface MiddlewareStackLike {
  add(middleware: never, options: { step: 'deserialize'; priority: 'high'; name: string; tags?: string[] }): void;
}

interface AttemptHooks {
  api: AwsApi;
  clock: Pick<LimiterClock, 'now'>;
  observer?: AwsCallObserver | undefined;
  limiter?: ApiRateLimiter | undefined;
}

type NextHandler = (args: unknown) => Promise<unknown>;
type Middleware = (next: NextHandler, context: { commandName?: string }) => (args: unknown) => Promise<unknown>;

/**
 * Wraps every attempt of every call: waits for the rate limiter, then reports the attempt's outcome.
 * It sits in the `deserialize` step, which runs inside the retry loop of `finalizeRequest`, so each retry
 * attempt is limited and observed on its own (a throttled first attempt counts as `throttled`, its retry as `ok`).
 */
export function attemptMiddleware(hooks: AttemptHooks): Middleware {
  return (next, context) => async (args) => {
    const operation = operationName(context.commandName);
    await hooks.limiter?.acquire(operation);
    const startedAt = hooks.clock.now();
    let failure: unknown;
    try {
      return await next(args);
    } catch (error) {
      failure = error ?? new Error('unknown AWS error');
      throw error;
    } finally {
      hooks.observer?.({
        api: hooks.api,
        operation,
        outcome: classifyOutcome(failure),
        durationSeconds: Math.max(0, hooks.clock.now() - startedAt) / 1000,
        mutating: isMutatingOperation(operation),
        ...(failure === undefined ? {} : { errorCode: errorCodeOf(failure) ?? 'Error' }),
      });
    }
  };
}

export function installAttemptMiddleware(stack: MiddlewareStackLike, hooks: AttemptHooks): void {
  stack.add(attemptMiddleware(hooks) as never, {
    step: 'deserialize',
    priority: 'high',
    name: 'ecsReconcilerAttempt',
    tags: ['ECS_RECONCILER'],
  });
}
