import { randomUUID } from 'node:crypto';
import type { SandboxViews } from '../world.js';
import { BehaviourBook } from './behaviours.js';
import { CallLog, isMutating, type CallOutcome } from './calls.js';
import type { AdjustableClock } from './clock.js';
import { AwsError, internalFailure, isThrottling } from './errors.js';
import { Faults } from './faults.js';
import { decodeJsonBody, encodeJsonBody, jsonErrorBody, splitTarget } from './json-protocol.js';
import { parseQueryBody, queryErrorBody, queryResponseBody, signingNameFromAuthorization } from './query-protocol.js';
import type {
  ApiRegistry,
  Handler,
  JsonServiceRegistration,
  QueryServiceRegistration,
  RequestContext,
  SandboxService,
  SandboxServiceFactory,
} from './service.js';

export interface ApiRequest {
  /** Lower-case header names, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Wall-clock delay to apply before sending (injected latency). */
  delayMs: number;
}

interface ResolvedCall {
  protocol: 'json' | 'query';
  service: string;
  operation: string;
  handler: Handler | undefined;
  input: unknown;
  render(output: unknown, requestId: string): ApiResponse;
  renderError(error: AwsError, requestId: string): ApiResponse;
}

const MAX_STEPS = 10_000;

const header = (req: ApiRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The simulated AWS account: registered services, their clock, faults, behaviours and the call log. */
export class SandboxAccount implements ApiRegistry {
  readonly faults = new Faults();
  readonly calls = new CallLog();
  readonly behaviours = new BehaviourBook();
  readonly views: SandboxViews = {};
  readonly services: SandboxService[] = [];
  private readonly jsonServices = new Map<string, JsonServiceRegistration>();
  private readonly queryBySigningName = new Map<string, QueryServiceRegistration>();
  private readonly queryByVersion = new Map<string, QueryServiceRegistration>();

  /**
   * The simulated moment the services have reached. A clock jump is replayed in steps of at most `stepMs`, with
   * every service ticked at each step, so services that depend on each other (a task registering into a target
   * group, a health check answered by a task) see each other's state at nearly the same moment.
   */
  private worldTime: number;
  /** What services see as "now": the step being replayed, not the clock's final value. */
  private readonly worldClock = { now: () => this.worldTime };
  private readonly realClock = { now: () => this.clock.realTime(this.worldTime) };

  constructor(
    readonly clock: AdjustableClock,
    readonly region: string,
    readonly accountId: string,
    private readonly stepMs = 1000,
  ) {
    this.worldTime = clock.now();
  }

  addService(factory: SandboxServiceFactory): SandboxService {
    const service = factory({
      region: this.region,
      accountId: this.accountId,
      clock: this.worldClock,
      realClock: this.realClock,
      views: this.views,
      api: this,
      behaviours: this.behaviours,
      hiddenByConsistency: (createdAt) => this.faults.hidesFromReads(createdAt, this.worldTime),
    });
    if (this.services.some((s) => s.name === service.name)) throw new Error(`sandbox service ${service.name} is registered twice`);
    this.services.push(service);
    return service;
  }

  registerJsonService(registration: JsonServiceRegistration): void {
    this.jsonServices.set(registration.targetPrefix, registration);
  }

  registerQueryService(registration: QueryServiceRegistration): void {
    this.queryBySigningName.set(registration.signingName, registration);
    this.queryByVersion.set(registration.version, registration);
  }

  /** Lets every service's lifecycles catch up with the clock, step by step. */
  tick(): void {
    const target = this.clock.now();
    // A very long jump (days) is replayed in at most MAX_STEPS coarser steps rather than millions of fine ones.
    const step = Math.max(this.stepMs, (target - this.worldTime) / MAX_STEPS);
    do {
      this.worldTime = Math.min(target, this.worldTime + step);
      for (const service of this.services) service.tick?.(this.worldTime);
    } while (this.worldTime < target);
  }

  state(): Record<string, unknown> {
    const state: Record<string, unknown> = {
      region: this.region,
      accountId: this.accountId,
      now: new Date(this.worldTime).toISOString(),
      behaviours: this.behaviours.list(),
      faults: this.faults.current(),
    };
    for (const service of this.services) state[service.name] = service.state();
    return state;
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    const requestId = randomUUID();
    let call: ResolvedCall;
    try {
      call = this.resolve(request);
    } catch (error) {
      const awsError = error instanceof AwsError ? error : new AwsError('InvalidRequest', String(error), 400);
      return plainError(awsError, requestId, request);
    }
    this.tick();
    const now = this.worldTime;
    let response: ApiResponse;
    let failure: AwsError | undefined;
    try {
      if (!call.handler) throw unknownOperation(call);
      this.faults.takeToken(call.service, call.operation, now);
      const injected = this.faults.serverError();
      if (injected) throw injected;
      const ctx: RequestContext = { requestId, service: call.service, operation: call.operation, now, region: this.region, accountId: this.accountId };
      response = call.render(await call.handler(call.input, ctx), requestId);
    } catch (error) {
      failure = toAwsError(error);
      response = call.renderError(failure, requestId);
    }
    const mutating = isMutating(call.operation);
    const userAgent = header(request, 'user-agent');
    this.calls.add({
      time: now,
      service: call.service,
      operation: call.operation,
      mutating,
      outcome: outcomeOf(failure),
      requestId,
      ...(failure ? { errorCode: failure.code } : {}),
      ...(mutating ? { input: call.input } : {}),
      ...(userAgent !== undefined ? { userAgent } : {}),
    });
    response.delayMs = this.faults.latencyMs(call.service, call.operation);
    return response;
  }

  private resolve(request: ApiRequest): ResolvedCall {
    const target = header(request, 'x-amz-target');
    if (target) return this.resolveJson(request, target);
    return this.resolveQuery(request);
  }

  private resolveJson(request: ApiRequest, target: string): ResolvedCall {
    const { prefix, operation } = splitTarget(target);
    const registration = this.jsonServices.get(prefix);
    if (!registration) throw new AwsError('UnknownOperationException', `No service is registered for target ${prefix}`, 400);
    const contentType = header(request, 'content-type') ?? 'application/x-amz-json-1.1';
    const queryCompatible = header(request, 'x-amzn-query-mode') === 'true';
    const baseHeaders = { 'content-type': contentType };
    return {
      protocol: 'json',
      service: registration.name,
      operation,
      handler: Object.hasOwn(registration.handlers, operation) ? registration.handlers[operation] : undefined,
      input: decodeJsonBody(request.body),
      render: (output, requestId) => ({ status: 200, headers: { ...baseHeaders, 'x-amzn-requestid': requestId }, body: encodeJsonBody(output), delayMs: 0 }),
      renderError: (error, requestId) => ({
        status: error.httpStatus,
        headers: {
          ...baseHeaders,
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': error.code,
          ...(queryCompatible ? { 'x-amzn-query-error': `${error.code};${error.faultType}` } : {}),
        },
        body: jsonErrorBody(error),
        delayMs: 0,
      }),
    };
  }

  private resolveQuery(request: ApiRequest): ResolvedCall {
    const { action, version, params } = parseQueryBody(request.body);
    const signingName = signingNameFromAuthorization(header(request, 'authorization'));
    const registration =
      (signingName === undefined ? undefined : this.queryBySigningName.get(signingName)) ?? (version === undefined ? undefined : this.queryByVersion.get(version));
    if (!registration) throw new AwsError('InvalidAction', `No service is registered for signing name ${signingName ?? '-'} / Version ${version ?? '-'}`, 400);
    const headers = { 'content-type': 'text/xml' };
    return {
      protocol: 'query',
      service: registration.name,
      operation: action,
      handler: Object.hasOwn(registration.handlers, action) ? registration.handlers[action] : undefined,
      input: params,
      render: (output, requestId) => ({
        status: 200,
        headers: { ...headers, 'x-amzn-requestid': requestId },
        body: queryResponseBody(action, output, registration.xmlNamespace, requestId),
        delayMs: 0,
      }),
      renderError: (error, requestId) => ({
        status: error.httpStatus,
        headers: { ...headers, 'x-amzn-requestid': requestId },
        body: queryErrorBody(error, registration.xmlNamespace, requestId),
        delayMs: 0,
      }),
    };
  }
}

function unknownOperation(call: ResolvedCall): AwsError {
  const code = call.protocol === 'query' ? 'InvalidAction' : 'UnknownOperationException';
  return new AwsError(code, `The sandbox does not implement ${call.service}.${call.operation}`, 400);
}

function outcomeOf(failure: AwsError | undefined): CallOutcome {
  if (!failure) return 'ok';
  if (isThrottling(failure)) return 'throttled';
  return failure.httpStatus >= 500 ? 'fault' : 'error';
}

function toAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  console.error('sandbox: handler failed', error);
  return internalFailure(error instanceof Error ? error.message : String(error));
}

/** An error before the protocol is known: answer in the shape the request looked like it wanted. */
function plainError(error: AwsError, requestId: string, request: ApiRequest): ApiResponse {
  if (header(request, 'x-amz-target')) {
    return { status: error.httpStatus, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId }, body: jsonErrorBody(error), delayMs: 0 };
  }
  return { status: error.httpStatus, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: queryErrorBody(error, undefined, requestId), delayMs: 0 };
}
