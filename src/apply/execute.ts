import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/index.js';
import type { ActionKind, PlannedAction } from '../plan/index.js';
import { sendAction } from './commands.js';
import { TaskDefinitionCache } from '../observe/index.js';
import { findRegistered } from './registrations.js';
import type { PendingRegistrations } from './registrations.js';

export interface ApplyError {
  /** The AWS error code (`InvalidParameterException`, `ThrottlingException`...) or the network error code. */
  code: string;
  message: string;
  /** The action that failed, when one did. */
  action?: ActionKind;
}

/** `planned`: a dry run, nothing sent. */
export type ActionStatus = 'planned' | 'ok' | 'failed' | 'skipped';

export interface ActionResult {
  kind: ActionKind;
  resourceKey: string;
  reason: string;
  status: ActionStatus;
}

function actionResult(action: PlannedAction, status: ActionStatus): ActionResult {
  return { kind: action.kind, resourceKey: action.resourceKey, reason: action.reason, status };
}

/** The actions as a dry run reports them: nothing sent. */
export function plannedActions(actions: readonly PlannedAction[]): ActionResult[] {
  return actions.map((action) => actionResult(action, 'planned'));
}

export interface Execution {
  actions: ActionResult[];
  error?: ApplyError;
}

/** An error as the report shows it: the SDK's exception name is AWS's error code. */
export function toApplyError(error: unknown, action?: ActionKind): ApplyError {
  const candidate = error as { name?: unknown; code?: unknown; message?: unknown } | undefined;
  const code = [candidate?.code, candidate?.name].find((value): value is string => typeof value === 'string' && value !== '' && value !== 'Error');
  const message = typeof candidate?.message === 'string' && candidate.message !== '' ? candidate.message : String(error);
  return { code: code ?? 'Error', message, ...(action ? { action } : {}) };
}

/**
 * Before a RegisterTaskDefinition, the family's newest ACTIVE revision is compared with the content: the revision a
 * failed attempt left behind is the newest one, so comparing one costs one ListTaskDefinitions per registration
 * (and a DescribeTaskDefinition when that revision is not cached) and still never registers identical content twice.
 */
export const REVISIONS_COMPARED_BEFORE_REGISTERING = 1;

export interface ExecuteOptions {
  /** Kept across passes by a long-running caller: a registration whose follow-up failed is reused without a read. */
  registrations?: PendingRegistrations;
  /** Task definitions read so far (immutable, so cached for the process's life). */
  taskDefinitions?: TaskDefinitionCache;
}

/**
 * Runs one service's actions in order, one `send` each, carrying the ARN of a RegisterTaskDefinition into the
 * CreateService/UpdateService after it. The first failure stops this service (later actions build on earlier
 * ones) and marks the rest skipped. Throttling is retried with jittered backoff by the client layer below. A
 * registration is sent only when neither this process (`registrations`) nor AWS (the family's newest revision)
 * already holds the same content.
 */
export async function executeActions(
  clients: Pick<AwsClients, 'ecs' | 'elbv2' | 'autoscaling'>,
  actions: readonly PlannedAction[],
  { registrations, taskDefinitions = new TaskDefinitionCache() }: ExecuteOptions = {},
): Promise<Execution> {
  const results: ActionResult[] = [];
  let registration: { input: RegisterTaskDefinitionCommandInput; arn: string; reused: boolean } | undefined;
  let error: ApplyError | undefined;
  for (const action of actions) {
    const result = actionResult(action, 'skipped');
    results.push(result);
    if (error) continue;
    try {
      if (action.kind === 'RegisterTaskDefinition') {
        const pending = registrations?.get(action.input);
        const existing = pending ?? (await findRegistered({ ecs: clients.ecs, cache: taskDefinitions }, action.input, REVISIONS_COMPARED_BEFORE_REGISTERING));
        if (pending) result.reason = `${result.reason}; reusing ${pending}, registered by an earlier attempt whose next step failed`;
        else if (existing) result.reason = `${result.reason}; reusing ${existing}, the family's newest revision, which has this content`;
        // sendAction throws when AWS answers a registration without an ARN.
        const arn = existing ?? ((await sendAction(clients, action, undefined)).registeredTaskDefinitionArn as string);
        registration = { input: action.input, arn, reused: pending !== undefined };
        registrations?.set(action.input, arn);
      } else {
        await sendAction(clients, action, registration?.arn);
      }
      result.status = 'ok';
    } catch (failure) {
      result.status = 'failed';
      error = toApplyError(failure, action.kind);
    }
    // The revision is in use once its follow-up succeeded; a reused one whose follow-up failed may be gone (deregistered).
    if (registration && usesRegistration(action) && (result.status === 'ok' || registration.reused)) registrations?.delete(registration.input);
  }
  return error ? { actions: results, error } : { actions: results };
}

function usesRegistration(action: PlannedAction): boolean {
  return action.kind === 'CreateService' || action.kind === 'UpdateService';
}
