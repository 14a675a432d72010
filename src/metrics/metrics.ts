import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parseServiceKey } from '../manifest/identity.js';
import type { AnalysisStatus, RolloutStrategy, ServiceSummary } from '../controller/status.js';
import type { UnfinishedWork, WorkQueueMetrics } from '../controller/workqueue.js';
import type { NotificationMetrics } from '../notify/index.js';
import type { AbortReason } from '../rollout/types.js';
import { OwnedSeries } from './owned-series.js';

export const METRIC_PREFIX = 'ecs_reconciler_';

/** One AWS API call, as the AWS client layer (`src/aws/`, its `AwsCallObserver`) reports it. */
export interface AwsCallEvent {
  api: 'ecs' | 'elbv2' | 'autoscaling' | 'cloudwatch';
  operation: string;
  outcome: 'ok' | 'throttled' | 'error';
  durationSeconds: number;
  /** A write (Create/Update/Delete/Register/Modify...) rather than a read. */
  mutating: boolean;
}

/**
 * How a reconcile ended: `success` (nothing more to do), `requeue` (succeeded, and asked to look again later, e.g.
 * a paused rollout step), `conflict` (left alone: an unmanaged service has the name), `error` (failed, retried).
 */
export const RECONCILE_RESULTS = ['success', 'requeue', 'conflict', 'error'] as const;
export type ReconcileResult = (typeof RECONCILE_RESULTS)[number];

/** `promoted`: the new version took all the traffic; `aborted`: traffic went back to stable; `superseded`: a newer version replaced it mid-way. */
export const ROLLOUT_OUTCOMES = ['promoted', 'aborted', 'superseded'] as const;
export type RolloutOutcome = (typeof ROLLOUT_OUTCOMES)[number];

export interface FinishedRollout {
  strategy: RolloutStrategy;
  outcome: RolloutOutcome;
  /** Set for `aborted` only: alerts can tell a failed analysis from an operator's abort. */
  reason?: AbortReason;
  durationSeconds: number;
}

export type AnalysisOutcome = Exclude<AnalysisStatus, 'Running'>;

/**
 * `success`: every file valid; `invalid`: some files had errors (they keep their last good state);
 * `error`: the folder could not be read at all (nothing changes).
 */
export const MANIFEST_LOAD_RESULTS = ['success', 'invalid', 'error'] as const;
export type ManifestLoadResult = (typeof MANIFEST_LOAD_RESULTS)[number];

/** The rollout state machine's phases (DESIGN section 4); a phase not listed is still exported when it occurs. */
export const DEFAULT_ROLLOUT_PHASES = ['Stable', 'Progressing', 'Paused', 'Promoting', 'Finalizing', 'Aborted', 'RollingBack', 'Degraded'] as const;

// Buckets in seconds. Reconciles and work items: controller-runtime's 5 ms..60 s range, thinned out.
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];
// One AWS call attempt: tens of ms typically, seconds for slow writes, up to the SDK's timeouts.
const AWS_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// Waiting for a free worker: near zero in steady state, up to minutes when every service is queued at start.
const QUEUE_BUCKETS = [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
// Whole rollouts: minutes (a canary with short pauses) to a day (bake times, manual gates).
const ROLLOUT_BUCKETS = [60, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];

export interface MetricsOptions {
  /** The controller's version, for `build_info`. */
  version: string;
  /** Defaults to the running Node.js version. */
  nodeVersion?: string;
  rolloutPhases?: readonly string[];
  /** Node.js process metrics (`process_*`, `nodejs_*`); on by default. */
  processMetrics?: boolean;
}

export interface ControllerMetrics {
  /** This instance's own registry: serve `registry.metrics()` with `registry.contentType`. */
  readonly registry: Registry;
  /** Pass to `new WorkQueue({ metrics })`. */
  readonly workqueue: WorkQueueMetrics;
  /** Pass to `new DeliveryQueue({ metrics })`. */
  readonly notifications: NotificationMetrics;
  /** An `AwsCallObserver` for the AWS client layer. */
  observeAwsCall(event: AwsCallEvent): void;
  observeReconcile(result: ReconcileResult, durationSeconds: number): void;
  /** Mirrors one service's status: `service_info`, `rollout_*` (removed when `rollout` is absent), `last_sync_timestamp_seconds`. */
  setServiceStatus(status: ServiceSummary): void;
  /** Drops every series of a service that is no longer managed, so its labels do not linger. */
  removeService(key: string): void;
  /** A reconcile changed AWS back to the desired state without a new revision (someone changed it by hand). */
  countDriftCorrection(key: string): void;
  /** An aborted rollout also counts as a failed revision (`failed_revisions_total`). */
  observeRolloutFinished(rollout: FinishedRollout): void;
  /**
   * A Rolling/Native revision failed and is now held: `reason` is who failed it (circuit-breaker, alarm, failed,
   * deadline). Canary/BlueGreen aborts are counted by observeRolloutFinished.
   */
  countFailedRevision(strategy: RolloutStrategy, reason: string): void;
  countAnalysisRun(template: string, outcome: AnalysisOutcome): void;
  /** A record in a service tag failed verification and was not obeyed. */
  countRejectedRecord(key: string, record: 'rollout' | 'analysis', reason: 'unsigned' | 'forged'): void;
  setDesiredRevision(revision: string): void;
  /** One load of the desired-state folder, and how many manifest errors it has now. */
  observeManifestLoad(result: ManifestLoadResult, errorCount: number): void;
  /**
   * Without `shard`: one controller reconciles everything (no leader election). With it: this replica holds (1) or
   * does not hold (0) that shard's lease; the first per-shard value drops the unlabelled series.
   */
  setLeader(isLeader: boolean, shard?: number): void;
  /** Per cluster, the managed services prune would delete but its deletion budget holds back; clusters not listed are 0. */
  setPruneHeld(held: Record<string, number>): void;
}

const SERVICE_LABELS = ['cluster', 'service'] as const;
const REJECTED_RECORDS = (['rollout', 'analysis'] as const).flatMap((record) => (['forged', 'unsigned'] as const).map((reason) => ({ record, reason })));

export function createMetrics(options: MetricsOptions): ControllerMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) {
    // Unprefixed on purpose: process_* and nodejs_* are the names every Node.js dashboard and the Go/controller-runtime
    // conventions use; a private registry per instance already keeps them from colliding.
    collectDefaultMetrics({ register: registry });
  }
  const registers = [registry];
  const name = (suffix: string) => METRIC_PREFIX + suffix;

  new Gauge({
    name: name('build_info'),
    help: 'Always 1; the labels say which build of the controller is running.',
    labelNames: ['version', 'node_version'] as const,
    registers,
  }).set({ version: options.version, node_version: options.nodeVersion ?? process.version }, 1);

  const reconcileTotal = new Counter({
    name: name('reconcile_total'),
    help: 'Reconciles of one service, by result: success, requeue, conflict, error.',
    labelNames: ['result'] as const,
    registers,
  });
  for (const result of RECONCILE_RESULTS) reconcileTotal.inc({ result }, 0);
  const reconcileDuration = new Histogram({
    name: name('reconcile_duration_seconds'),
    help: 'Time to reconcile one service, from observing AWS to the last write.',
    buckets: RECONCILE_BUCKETS,
    registers,
  });

  const serviceInfo = new OwnedSeries(
    new Gauge({
      name: name('service_info'),
      help: 'Always 1 for each managed service; the labels carry its rollout strategy, sync status and health status.',
      labelNames: [...SERVICE_LABELS, 'strategy', 'sync_status', 'health_status'] as const,
      registers,
    }),
  );
  const driftCorrections = new Counter({
    name: name('drift_corrections_total'),
    help: 'Reconciles that changed AWS back to the desired state without a new revision (drift, e.g. a manual change).',
    labelNames: SERVICE_LABELS,
    registers,
  });
  const lastSync = new Gauge({
    name: name('last_sync_timestamp_seconds'),
    help: 'Unix time when a reconcile last left the service in sync with the desired state.',
    labelNames: SERVICE_LABELS,
    registers,
  });

  const awsCalls = new Counter({
    name: name('aws_api_calls_total'),
    help: 'AWS API call attempts (a retried call counts each attempt), by API, operation and outcome (ok, throttled, error).',
    labelNames: ['api', 'operation', 'outcome'] as const,
    registers,
  });
  const awsCallDuration = new Histogram({
    name: name('aws_api_call_duration_seconds'),
    help: 'Duration of one AWS API call attempt.',
    labelNames: ['api', 'operation'] as const,
    buckets: AWS_CALL_BUCKETS,
    registers,
  });

  const rolloutPhase = new OwnedSeries(
    new Gauge({
      name: name('rollout_phase'),
      help: "1 for the phase the service's rollout is in, 0 for the other phases.",
      labelNames: [...SERVICE_LABELS, 'phase'] as const,
      registers,
    }),
  );
  const rolloutStep = new Gauge({
    name: name('rollout_step'),
    help: "Zero-based index of the rollout's current step.",
    labelNames: SERVICE_LABELS,
    registers,
  });
  const rolloutCanaryWeight = new Gauge({
    name: name('rollout_canary_weight'),
    help: 'Percent of traffic (0-100) sent to the new version.',
    labelNames: SERVICE_LABELS,
    registers,
  });
  const rolloutsTotal = new Counter({
    name: name('rollouts_total'),
    help: 'Finished rollouts, by strategy, outcome (promoted, aborted, superseded) and, for aborts, reason (operator, analysis, deadline, missing).',
    labelNames: ['strategy', 'outcome', 'reason'] as const,
    registers,
  });
  const rolloutDuration = new Histogram({
    name: name('rollout_duration_seconds'),
    help: 'Time from the start of a rollout to its end, by strategy and outcome.',
    labelNames: ['strategy', 'outcome'] as const,
    buckets: ROLLOUT_BUCKETS,
    registers,
  });
  const failedRevisions = new Counter({
    name: name('failed_revisions_total'),
    help: 'Desired revisions that failed and are held (not deployed again until git changes them or an operator retries), by strategy and reason: circuit-breaker, alarm, failed, deadline (Rolling/Native), analysis, deadline, operator, missing (Canary/BlueGreen).',
    labelNames: ['strategy', 'reason'] as const,
    registers,
  });
  const recordsRejected = new Counter({
    name: name('rollout_records_rejected_total'),
    help: 'Records kept in service tags that failed verification and were not obeyed (forged, or unsigned), by record (rollout, analysis) and reason (forged, unsigned); the rollout holds until abort or retry.',
    labelNames: [...SERVICE_LABELS, 'record', 'reason'] as const,
    registers,
  });
  const analysisRuns = new Counter({
    name: name('analysis_runs_total'),
    help: 'Finished analysis runs, by template and outcome (Successful, Failed, Inconclusive, Error).',
    labelNames: ['template', 'outcome'] as const,
    registers,
  });

  const desiredStateInfo = new OwnedSeries(
    new Gauge({
      name: name('desired_state_info'),
      help: 'Always 1; the revision label is the git revision of the desired state in force.',
      labelNames: ['revision'] as const,
      registers,
    }),
  );
  const manifestErrors = new Gauge({
    name: name('manifest_errors'),
    help: 'Errors in the desired-state folder at the last load (files with errors keep their last good state).',
    registers,
  });
  const manifestLoads = new Counter({
    name: name('manifest_load_total'),
    help: 'Loads of the desired-state folder, by result: success, invalid (some files have errors), error (unreadable).',
    labelNames: ['result'] as const,
    registers,
  });
  for (const result of MANIFEST_LOAD_RESULTS) manifestLoads.inc({ result }, 0);

  const leader = new Gauge({
    name: name('leader'),
    help: '1 while this instance is the one reconciling (the leader), 0 otherwise; per shard (label shard) with leader election.',
    labelNames: ['shard'] as const,
    registers,
  });
  leader.set(0);
  const pruneHeld = new Gauge({
    name: name('prune_held_services'),
    help: 'Managed services no manifest names that prune holds back, by cluster, because deleting them would pass the deletion budget (waiting for --force-prune or an approval).',
    labelNames: ['cluster'] as const,
    registers,
  });

  const phases = options.rolloutPhases ?? DEFAULT_ROLLOUT_PHASES;

  function setRollout(key: string, labels: Record<(typeof SERVICE_LABELS)[number], string>, rollout: ServiceSummary['rollout']): void {
    if (rollout === undefined) {
      rolloutPhase.remove(key);
      rolloutStep.remove(labels);
      rolloutCanaryWeight.remove(labels);
      for (const combination of REJECTED_RECORDS) recordsRejected.remove({ ...labels, ...combination });
      return;
    }
    // From zero, so that increase() sees the first rejection (a counter series born at 1 shows no increase).
    for (const combination of REJECTED_RECORDS) recordsRejected.inc({ ...labels, ...combination }, 0);
    const allPhases = phases.includes(rollout.phase) ? phases : [...phases, rollout.phase];
    rolloutPhase.replace(
      key,
      allPhases.map((phase) => [{ ...labels, phase }, phase === rollout.phase ? 1 : 0] as const),
    );
    setOrRemove(rolloutStep, labels, rollout.step);
    setOrRemove(rolloutCanaryWeight, labels, rollout.canaryWeight);
  }

  return {
    registry,
    workqueue: createWorkqueueMetrics(registers),
    notifications: createNotificationMetrics(registers),
    observeAwsCall({ api, operation, outcome, durationSeconds }) {
      awsCalls.inc({ api, operation, outcome });
      awsCallDuration.observe({ api, operation }, durationSeconds);
    },
    observeReconcile(result, durationSeconds) {
      reconcileTotal.inc({ result });
      reconcileDuration.observe(durationSeconds);
    },
    setServiceStatus(status) {
      const labels = { cluster: status.cluster, service: status.service };
      serviceInfo.replace(status.key, [
        [{ ...labels, strategy: status.strategy, sync_status: status.syncStatus, health_status: status.healthStatus }, 1],
      ]);
      setRollout(status.key, labels, status.rollout);
      setOrRemove(lastSync, labels, status.lastSyncAt === undefined ? undefined : isoToUnixSeconds(status.lastSyncAt));
    },
    removeService(key) {
      const labels = parseServiceKey(key);
      serviceInfo.remove(key);
      setRollout(key, labels, undefined);
      lastSync.remove(labels);
      driftCorrections.remove(labels);
    },
    countDriftCorrection(key) {
      driftCorrections.inc(parseServiceKey(key));
    },
    observeRolloutFinished({ strategy, outcome, reason, durationSeconds }) {
      rolloutsTotal.inc({ strategy, outcome, reason: reason ?? '' });
      if (outcome === 'aborted') failedRevisions.inc({ strategy, reason: reason ?? 'operator' });
      rolloutDuration.observe({ strategy, outcome }, durationSeconds);
    },
    countFailedRevision(strategy, reason) {
      failedRevisions.inc({ strategy, reason });
    },
    countAnalysisRun(template, outcome) {
      analysisRuns.inc({ template, outcome });
    },
    countRejectedRecord(key, record, reason) {
      recordsRejected.inc({ ...parseServiceKey(key), record, reason });
    },
    setDesiredRevision(revision) {
      desiredStateInfo.replace('desired-state', [[{ revision }, 1]]);
    },
    observeManifestLoad(result, errorCount) {
      manifestLoads.inc({ result });
      manifestErrors.set(errorCount);
    },
    setPruneHeld(held) {
      pruneHeld.reset();
      for (const [cluster, count] of Object.entries(held)) pruneHeld.set({ cluster }, count);
    },
    setLeader(isLeader, shard) {
      if (shard === undefined) {
        leader.set(isLeader ? 1 : 0);
        return;
      }
      leader.remove({});
      leader.set({ shard: String(shard) }, isLeader ? 1 : 0);
    },
  };
}

function createWorkqueueMetrics(registers: Registry[]): WorkQueueMetrics {
  const name = (suffix: string) => `${METRIC_PREFIX}workqueue_${suffix}`;
  let readUnfinished: () => UnfinishedWork = () => ({ totalSeconds: 0, longestSeconds: 0 });

  const depth = new Gauge({ name: name('depth'), help: 'Services waiting in the work queue for a worker.', registers });
  const adds = new Counter({ name: name('adds_total'), help: 'Services added to the work queue (a service already waiting is not counted).', registers });
  const retries = new Counter({ name: name('retries_total'), help: 'Services re-queued with backoff after a failed reconcile.', registers });
  const queueDuration = new Histogram({
    name: name('queue_duration_seconds'),
    help: 'Time a service waits in the work queue before a worker takes it.',
    buckets: QUEUE_BUCKETS,
    registers,
  });
  const workDuration = new Histogram({
    name: name('work_duration_seconds'),
    help: 'Time a worker spends on one service, from taking it to done.',
    buckets: RECONCILE_BUCKETS,
    registers,
  });
  new Gauge({
    name: name('unfinished_work_seconds'),
    help: 'Sum of the time services being processed have been in progress; a steady rise means stuck workers.',
    registers,
    collect() {
      this.set(readUnfinished().totalSeconds);
    },
  });
  new Gauge({
    name: name('longest_running_processor_seconds'),
    help: 'How long the longest-running service in progress has been processed.',
    registers,
    collect() {
      this.set(readUnfinished().longestSeconds);
    },
  });

  return {
    depth: (keys) => depth.set(keys),
    added: () => adds.inc(),
    retried: () => retries.inc(),
    queueDuration: (seconds) => queueDuration.observe(seconds),
    workDuration: (seconds) => workDuration.observe(seconds),
    readUnfinishedWork(read) {
      readUnfinished = read;
    },
  };
}

function createNotificationMetrics(registers: Registry[]): NotificationMetrics {
  const deliveries = new Counter({
    name: `${METRIC_PREFIX}notification_deliveries_total`,
    help: 'Notification deliveries by target (<Notification>/<webhook|slack|sns>) and outcome: delivered, retried (an attempt failed, another follows), failed (gave up), dropped (queue full).',
    labelNames: ['target', 'outcome'] as const,
    registers,
  });
  const depth = new Gauge({ name: `${METRIC_PREFIX}notification_queue_depth`, help: 'Notification deliveries waiting for a first attempt or a retry.', registers });
  return {
    delivery: (target, outcome) => deliveries.inc({ target, outcome }),
    depth: (waiting) => depth.set(waiting),
  };
}

function setOrRemove<L extends string>(gauge: Gauge<L>, labels: Record<L, string>, value: number | undefined): void {
  if (value === undefined) gauge.remove(labels);
  else gauge.set(labels, value);
}

function isoToUnixSeconds(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`invalid timestamp ${JSON.stringify(iso)}: expected ISO 8601`);
  return ms / 1000;
}
