import type { RecordKeyring } from '../integrity/index.js';
/**
 * One poll of `wait` (AWS only: the services, their tags and task definitions, and the stopped reasons of failed
 * tasks) and of `apply --wait` (the same, judged against the manifests it applied: the plan's failed-revision hold
 * and, for Canary/BlueGreen, the rollout engine's dry run, which computes phase, step and weights).
 */
import type { AwsClients } from '../aws/index.js';
import { describeFailedRevision, failedRevisionOf, isHeld, needsFailedTasks, observeFailedTasks, stoppedTaskReasons } from '../hold/index.js';
import type { DesiredService, DesiredStateSnapshot } from '../manifest/index.js';
import { observeServices, TaskDefinitionCache } from '../observe/index.js';
import type { ObservedService, ObservedState } from '../observe/index.js';
import { observationFor, planService, usesTaskSets } from '../plan/index.js';
import type { PlanOptions } from '../plan/index.js';
import { reconcileRollout } from '../rollout/engine/reconcile-rollout.js';
import { judgeOutcome, needsStoppedReasons } from './outcome.js';
import type { Expectation, Outcome } from './outcome.js';

type Clients = Pick<AwsClients, 'ecs' | 'elbv2' | 'autoscaling'>;

async function reasonsOf(clients: Clients, service: ObservedService | undefined): Promise<string[]> {
  return service && needsStoppedReasons(service) ? stoppedTaskReasons(clients.ecs, service).catch(() => []) : [];
}

/** `wait`: each key judged from AWS alone. */
export function awsOutcomes(clients: Clients, keys: readonly string[], expect: Expectation): () => Promise<Map<string, Outcome>> {
  const taskDefinitions = new TaskDefinitionCache();
  return async () => {
    const state = await observeServices({ clients, taskDefinitions }, keys);
    const outcomes = new Map<string, Outcome>();
    for (const key of keys) {
      const service = state.services[key];
      outcomes.set(key, judgeOutcome(service, expect, state.taskDefinitions, await reasonsOf(clients, service)));
    }
    return outcomes;
  };
}

/** `apply --wait`: the services it applied, judged against their manifests. */
export function appliedOutcomes(clients: Clients, snapshot: DesiredStateSnapshot, services: readonly DesiredService[], planOptions: Omit<PlanOptions, 'now'>): () => Promise<Map<string, Outcome>> {
  const taskDefinitions = new TaskDefinitionCache();
  const observation = observationFor(services.map((service) => service.manifest));
  return async () => {
    const state = await observeServices({ clients, taskDefinitions }, observation.keys, observation.extras);
    const outcomes = new Map<string, Outcome>();
    for (const service of services) {
      const outcome = usesTaskSets(service.manifest.spec)
        ? await rolloutOutcome(clients, taskDefinitions, snapshot, service, state, planOptions.recordKey ?? 'read-only')
        : await deploymentOutcome(clients, taskDefinitions, service, state, { ...planOptions, now: Date.now() });
      outcomes.set(service.key, outcome);
    }
    return outcomes;
  };
}

async function deploymentOutcome(clients: Clients, cache: TaskDefinitionCache, desired: DesiredService, state: ObservedState, planOptions: PlanOptions): Promise<Outcome> {
  const service = state.services[desired.key];
  let plan = planService(desired.manifest, state, planOptions);
  // As the controller judges it: a rollback that already finished leaves the failed tasks to show it.
  if (service && needsFailedTasks(plan) && (await observeFailedTasks(clients.ecs, cache, state, service))) plan = planService(desired.manifest, state, planOptions);
  const family = desired.manifest.spec.taskDefinition.family;
  const failed = isHeld(plan.hold) ? failedRevisionOf(plan.hold) : undefined;
  if (failed) return { state: 'failed', detail: describeFailedRevision(failed, family) };
  const outcome = judgeOutcome(service, {}, state.taskDefinitions, await reasonsOf(clients, service));
  const deploying = plan.changes.some((change) => change.path[0] === 'taskDefinition' || change.path[0] === 'service');
  if (outcome.state === 'healthy' && deploying) return { state: 'progressing', detail: `${outcome.detail}, not on the desired revision yet` };
  return outcome;
}

/** Canary/BlueGreen: the engine's dry run, as `status` computes it (a one-shot apply does not drive the rollout). */
async function rolloutOutcome(
  clients: Clients,
  taskDefinitions: TaskDefinitionCache,
  snapshot: DesiredStateSnapshot,
  desired: DesiredService,
  state: ObservedState,
  keyring: RecordKeyring,
): Promise<Outcome> {
  if (!state.services[desired.key]) return { state: 'progressing', detail: 'not created yet' };
  const report = await reconcileRollout(
    { clients, taskDefinitions, instance: '', revision: snapshot.revision, dryRun: true, keyring },
    { manifest: desired.manifest, analysisTemplates: snapshot.analysisTemplates, observed: state },
  );
  const status = report.status;
  if (!status) return { state: 'progressing', detail: report.error ? `${report.error.code}: ${report.error.message}` : 'rollout not observed yet' };
  const step = status.step ? `, step ${status.step.index + 1}/${status.step.total}` : '';
  const detail = `${status.phase}${step}, weight ${status.canaryWeight}%: ${status.message}`;
  if (status.phase === 'Degraded') return { state: 'failed', detail };
  const onDesired = status.stable?.hash === report.hash && status.canary === undefined;
  return { state: status.phase === 'Stable' && onDesired ? 'healthy' : 'progressing', detail };
}
