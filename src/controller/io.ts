/**
 * Everything the controller does outside its own memory, behind one interface: load the folder, watch it,
 * reconcile one service, observe all clusters in one batch, delete a pruned service. `awsControllerIo` is the real
 * thing; unit tests pass fakes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AwsCallObserver, AwsClients } from '../aws/index.js';
import { executePrune, PendingRegistrations, PruneLedgerWriter } from '../apply/index.js';
import type { PruneResult } from '../apply/index.js';
import { awsCallLogger } from '../log/events.js';
import type { RecordKey } from '../integrity/index.js';
import type { Logger } from '../log/logger.js';
import { ManifestLoader } from '../manifest/index.js';
import type { DesiredService, DesiredStateSnapshot, InputLimits } from '../manifest/index.js';
import type { ControllerMetrics } from '../metrics/metrics.js';
import { observeClusters, TaskDefinitionCache } from '../observe/index.js';
import type { ObservedState } from '../observe/index.js';
import { observationFor } from '../plan/index.js';
import type { PrunePlan } from '../plan/index.js';
import { reconcileService } from '../reconcile/index.js';
import type { ReconcileOptions, ReconcileReport } from '../reconcile/index.js';
import type { Clock, Scheduler } from './time.js';
import { DEFAULT_DEBOUNCE_MS, watchFolder } from './watch.js';
import type { FolderWatcher } from './watch.js';

export interface ControllerIo {
  load(dir: string): Promise<DesiredStateSnapshot>;
  /** Calls `onChange` (debounced) whenever something in or at the folder may have changed. */
  watch(dir: string, onChange: () => void, onError: (error: unknown) => void): FolderWatcher;
  /** One service against the given desired state; never throws for AWS errors (they are in the report). */
  reconcile(key: string, snapshot: DesiredStateSnapshot): Promise<ReconcileReport>;
  /** One batched observation of every cluster these services name, with what they refer to (and, for prune, the clusters' tags). */
  observe(services: readonly DesiredService[], options?: { clusterTags?: boolean }): Promise<ObservedState>;
  prune(plan: PrunePlan): Promise<PruneResult>;
}

export interface AwsControllerIoOptions {
  /** CloudWatch serves rollout analysis. */
  clients: Pick<AwsClients, 'ecs' | 'elbv2' | 'autoscaling' | 'cloudwatch'>;
  instance: string;
  scheduler: Scheduler;
  /** The time rollouts judge pauses, deadlines and measurements by: the controller's own. */
  clock: Clock;
  /** Signs and verifies the records rollouts keep in tags (src/integrity). */
  recordKey: RecordKey;
  debounceMs?: number;
  readBack?: ReconcileOptions['readBack'];
  limits?: InputLimits;
}

export function awsControllerIo(options: AwsControllerIoOptions): ControllerIo {
  // Shared by every reconcile and resync: task definitions are immutable per ARN, so each is read once.
  const taskDefinitions = new TaskDefinitionCache();
  const registrations = new PendingRegistrations();
  // Kept across commits and resyncs, so only files whose bytes changed are parsed again.
  const manifests = new ManifestLoader(options.limits ? { limits: options.limits } : {});
  const { clients, instance } = options;
  const pruneLedger = new PruneLedgerWriter(clients.ecs, () => options.clock.now());
  return {
    load: (dir) => manifests.load(dir),
    watch: (dir, onChange, onError) => watchFolder(dir, onChange, { debounceMs: options.debounceMs ?? DEFAULT_DEBOUNCE_MS, scheduler: options.scheduler, onError }),
    reconcile: (key, snapshot) =>
      reconcileService(key, {
        snapshot,
        clients,
        taskDefinitions,
        registrations,
        // The controller comes back when a pause or a measurement is due, so it drives Canary/BlueGreen rollouts.
        rollout: { clock: options.clock, keyring: options.recordKey },
        options: { instance, recordKey: options.recordKey, ...(options.readBack ? { readBack: options.readBack } : {}) },
      }),
    observe(services, observeOptions = {}) {
      const observation = observationFor(services.map((service) => service.manifest));
      return observeClusters({ clients, taskDefinitions }, observation.clusters, { ...observation.extras, ...observeOptions });
    },
    prune: (plan) => executePrune(clients, plan, { dryRun: false, ledger: pruneLedger }),
  };
}

const currentLog = new AsyncLocalStorage<Logger>();

/** Runs `work` with `log` as the logger of the AWS calls it makes, so each write line carries the reconcile's ids. */
export function withCallLogger<T>(log: Logger, work: () => Promise<T>): Promise<T> {
  return currentLog.run(log, work);
}

/** The clients' observer: counts every attempt in the metrics and logs it with the current reconcile's context. */
export function awsCallObserver(root: Logger, metrics: Pick<ControllerMetrics, 'observeAwsCall'>): AwsCallObserver {
  return (event) => {
    metrics.observeAwsCall(event);
    awsCallLogger(currentLog.getStore() ?? root)(event);
  };
}
