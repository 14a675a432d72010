import type { SandboxClock, SandboxViews } from '../world.js';
import type { BehaviourBook } from './behaviours.js';

/** What a handler knows about the call it serves. */
export interface RequestContext {
  requestId: string;
  /** The service's short name (`ecs`, `elbv2`, ...). */
  service: string;
  operation: string;
  /** Simulated time of the call, epoch ms. */
  now: number;
  region: string;
  accountId: string;
}

/**
 * One API operation. Input is the decoded request (awsQuery scalars arrive as strings); output is plain data,
 * with `Date` for timestamps. Throw `AwsError` for an AWS-shaped error.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler declares its own input type
export type Handler = (input: any, ctx: RequestContext) => unknown;
export type Handlers = Record<string, Handler>;

export interface JsonServiceRegistration {
  /** Short name used in the call log, faults keys, seed sections and state (`ecs`). */
  name: string;
  /** `X-Amz-Target` prefix: `AmazonEC2ContainerServiceV20141113`. */
  targetPrefix: string;
  handlers: Handlers;
}

export interface QueryServiceRegistration {
  name: string;
  /** SigV4 signing name in the credential scope: `elasticloadbalancing`, `monitoring`. */
  signingName: string;
  /** awsQuery `Version` value: `2015-12-01`. */
  version: string;
  /** Namespace of the XML responses: `http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/`. */
  xmlNamespace: string;
  handlers: Handlers;
}

/** How a service plugs its operations into the sandbox's HTTP endpoint. */
export interface ApiRegistry {
  registerJsonService(registration: JsonServiceRegistration): void;
  registerQueryService(registration: QueryServiceRegistration): void;
}

/** Everything a service gets from the sandbox when it is created. */
export interface ServiceContext {
  region: string;
  accountId: string;
  /** Simulated time: the step of the world being replayed. */
  clock: SandboxClock;
  /** Real time at that step (see AdjustableClock.realTime): what CloudWatch stamps. */
  realClock: SandboxClock;
  /** Publish your own view here; read the others' lazily (at call time), since creation order is arbitrary. */
  views: SandboxViews;
  api: ApiRegistry;
  behaviours: BehaviourBook;
  /** True while a resource created at `createdAt` must stay invisible to Describe/List (eventual consistency fault). */
  hiddenByConsistency(createdAt: number): boolean;
}

export interface SandboxService {
  /** Seed section key and key in `GET /_sandbox/state`: `ecs`, `elbv2`, `autoscaling`, `cloudwatch`. */
  readonly name: string;
  /** Progress lifecycles up to `now`. Called before every request and on a timer; keep it proportional to change. */
  tick?(now: number): void;
  /** Load this service's seed section (already parsed from YAML/JSON, not validated). */
  applySeed?(section: unknown): void;
  /** A JSON-friendly snapshot of the service's whole state. */
  state(): unknown;
}

export type SandboxServiceFactory = (ctx: ServiceContext) => SandboxService;
