export { createAwsClients, destroyAwsClients, DEFAULT_RATE_LIMITS, scaledRateLimits } from './clients.js';
export type { AwsClients, AwsClientOptions } from './clients.js';
export { classifyOutcome, isMutatingOperation, isThrottlingError, operationName } from './calls.js';
export type { AwsApi, AwsCallEvent, AwsCallObserver, AwsCallOutcome } from './calls.js';
export { ApiRateLimiter, TokenBucket, systemClock } from './rate-limit.js';
export type { BucketSettings, LimiterClock, RateLimitSettings } from './rate-limit.js';
export { endpointFailure, isLoopbackHost } from './endpoint-errors.js';
