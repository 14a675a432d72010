/**
 * The long-running controller: folder watch -> desired state in force -> work queue -> workers -> reconcile, plus
 * a periodic resync that observes every cluster in one batch and queues only the services that differ.
 * Level-triggered: any event only says "look again"; every decision is recomputed from desired and observed state.
 */
import { toApplyError } from '../apply/index.js';
import type { PruneResult } from '../apply/index.js';
import { DecisionJournal } from '../audit/index.js';
import type { AuditEntry } from '../audit/index.js';
import { byGit, logDecision, newReconcileId, reconcileLogger } from '../log/events.js';
import type { Decision } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import { parseServiceKey } from '../manifest/index.js';
import type { DesiredNotification, DesiredService, ServiceKey } from '../manifest/index.js';
import type { RecordKey } from '../integrity/index.js';
import type { ControllerMetrics } from '../metrics/metrics.js';
import type { ObservedState } from '../observe/index.js';
import { planPrune, usesTaskSets } from '../plan/index.js';
import type { PruneBudget, PrunePlan } from '../plan/index.js';
import type { ReconcileReport } from '../reconcile/index.js';
import { evaluateReadiness } from '../server/readiness.js';
import type { Readiness } from '../server/readiness.js';
import { DEFAULT_AWS_UNREACHABLE_AFTER_MS } from './aws-reads.js';
import type { AwsReadHealth } from './aws-reads.js';
import { DesiredStateStore } from './desired-state-store.js';
import { withCallLogger } from './io.js';
import type { ControllerIo } from './io.js';
import { jitteredInterval, prunePlanFor, selectOutOfSync } from './resync.js';
import { DEFAULT_REQUEUE, holdDecision, judgeError, judgeResult, statusFromPlan, strategyOf } from './service-status.js';
import type { RequeuePolicy, Verdict } from './service-status.js';
import type { ServiceSummary, StatusSnapshot } from './status.js';
import { systemTime } from './time.js';
import type { CancelTimer, TimeSource } from './time.js';
import type { FolderWatcher } from './watch.js';
import { runWorkers } from './workers.js';
import type { HandlerResult, WorkersExit } from './workers.js';
import { WorkQueue } from './workqueue.js';
import { isRolloutMessage, recordRolloutMetrics, rolloutHealth, toRolloutSummary } from '../rollout/engine/index.js';
import type { RolloutReport, ServiceStatusView } from '../rollout/engine/index.js';

export const DEFAULT_RESYNC_MS = 5 * 60_000;
export const DEFAULT_WORKERS = 4;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 20_000;

export interface ControllerOptions {
  /** The desired-state folder (or git-sync link). */
  dir: string;
  io: ControllerIo;
  metrics: ControllerMetrics;
  log: Logger;
  /** The managed-by tag value. */
  instance: string;
  workers?: number;
  /** Mean time between resyncs, jittered by +/-10%. */
  resyncMs?: number;
  /** Delete managed services that no manifest names (with planPrune's guards). */
  prune?: boolean;
  /** How much prune may delete per cluster within a rolling window (DEFAULT_PRUNE_BUDGET otherwise). */
  pruneBudget?: Partial<PruneBudget>;
  /** Fed by the AWS clients' observer: readiness fails once reads have failed for `awsUnreachableAfterMs`. */
  awsReads?: AwsReadHealth;
  awsUnreachableAfterMs?: number;
  /** On stop, how long in-flight reconciles may run before they are abandoned. */
  shutdownTimeoutMs?: number;
  requeue?: RequeuePolicy;
  time?: TimeSource;
  random?: () => number;
  /**
   * Leader election: only the services this replica owns are queued, resynced and reported, and the leader gauge is
   * the elector's. Call `ownershipChanged()` whenever the answer may have changed.
   */
  ownership?: { owns(key: ServiceKey): boolean };
  /** Decisions kept per service for `/status/CLUSTER/SERVICE` (default DEFAULT_DECISIONS_KEPT). */
  decisionsKept?: number;
  /** Verifies the failure records a resync reads (src/hold); the reconciles get it through `io`. */
  recordKey?: RecordKey;
}

type OkPrunePlan = Extract<PrunePlan, { outcome: 'ok' }>;

/** What one reconcile or resync concluded about a service. */
type Judgement = Pick<ServiceSummary, 'syncStatus' | 'healthStatus' | 'message' | 'lastSyncAt' | 'rollout'>;

export class Controller {
  private readonly store: DesiredStateStore;
  private readonly queue: WorkQueue;
  private readonly time: TimeSource;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly statuses = new Map<ServiceKey, ServiceSummary>();
  /** The last rollout pass of each Canary/BlueGreen service, for its detail page. */
  private readonly rolloutReports = new Map<ServiceKey, RolloutReport>();
  /** The manifest hash each service was last in sync with: a change applied at the same hash undid drift. */
  private readonly syncedHashes = new Map<ServiceKey, string>();
  /** The notes last logged per service, so that each is logged once (logNewNotes). */
  private readonly loggedNotes = new Map<ServiceKey, ReadonlySet<string>>();
  /** Deletions the last resync's prune plan approved, each done by the worker that takes the key. */
  private approvedDeletions = new Map<ServiceKey, OkPrunePlan>();
  /** Keys the initial resync queued and no worker finished yet; undefined until the initial resync ran. */
  private firstSyncPending: Set<ServiceKey> | undefined;
  private workers: Promise<WorkersExit> | undefined;
  private watcher: FolderWatcher | undefined;
  private loading: Promise<void> = Promise.resolve();
  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;
  private resyncTimer: CancelTimer | undefined;
  private stopping: Promise<WorkersExit> | undefined;
  private readonly abandon = new AbortController();
  /** Every decision: logged, the last few kept per service, and handed to subscribers (notifications). */
  readonly decisions: DecisionJournal;

  constructor(private readonly options: ControllerOptions) {
    this.time = options.time ?? systemTime;
    this.random = options.random ?? Math.random;
    this.log = options.log;
    this.store = new DesiredStateStore(options.dir);
    this.decisions = new DecisionJournal({ now: () => this.time.now(), ...(options.decisionsKept !== undefined ? { kept: options.decisionsKept } : {}) });
    this.queue = new WorkQueue({ time: this.time, metrics: options.metrics.workqueue, random: this.random, accept: (key) => this.owns(key) });
  }

  /** Loads the folder, starts watching it and the workers, and runs the initial full sync (a resync). */
  async start(): Promise<void> {
    if (!this.options.ownership) this.options.metrics.setLeader(true);
    this.workers = runWorkers(this.queue, this.options.workers ?? DEFAULT_WORKERS, (key) => this.handle(key), {
      abandon: this.abandon.signal,
      onError: (key, error) => this.log.debug({ key, err: error }, 'reconcile failed; retrying with backoff'),
    });
    this.watcher = this.options.io.watch(
      this.options.dir,
      () => void this.reload(true),
      (error) => this.log.warn({ err: error }, 'watching the desired-state folder failed; the periodic resync still reloads it'),
    );
    // Watching before the first load: a change made while the initial sync runs is not missed.
    await this.watcher.ready().catch((error: unknown) => this.log.warn({ err: error }, 'the folder watcher failed to start'));
    await this.reload(false);
    await this.resync();
  }

  /**
   * Stops taking work (the queue hands out nothing more, the watcher and the resync timer stop), waits for the
   * reconciles in flight, and abandons them after the shutdown timeout. Idempotent.
   */
  stop(): Promise<WorkersExit> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  status(): StatusSnapshot {
    const revision = this.store.revision;
    const loadedAt = this.store.loadedAt;
    return {
      ...(revision !== undefined ? { revision } : {}),
      ...(loadedAt !== undefined ? { loadedAt: loadedAt.toISOString() } : {}),
      manifestErrors: [...this.store.manifestErrors],
      services: [...this.statuses.values()].sort((a, b) => a.key.localeCompare(b.key)),
    };
  }

  /** A Canary/BlueGreen service as its last reconcile saw it (phase, steps, task sets, analysis); undefined for others. */
  rolloutView(key: ServiceKey): ServiceStatusView | undefined {
    const rollout = this.rolloutReports.get(key);
    return rollout && { key, strategy: rollout.strategy, rollout };
  }

  /** The Notification manifests in force. */
  notifications(): Iterable<DesiredNotification> {
    return this.store.notifications.values();
  }

  /** The desired service in force, if any manifest names it. */
  desiredService(key: ServiceKey): DesiredService | undefined {
    return this.store.services.get(key);
  }

  /** The service's last decisions, oldest first; undefined for a service this controller does not know. */
  recentDecisions(key: ServiceKey): AuditEntry[] | undefined {
    return this.statuses.has(key) || this.decisions.has(key) ? this.decisions.recent(key) : undefined;
  }

  /**
   * Ready once a desired state is in force and every service was reconciled once; a bad folder, or AWS reads failing
   * for longer than `awsUnreachableAfterMs`, says why not.
   */
  readiness(): Readiness {
    const problem = this.store.problem;
    if (problem !== undefined) return { ready: false, reason: problem };
    const awsUnreachable = this.options.awsReads?.problem(this.options.awsUnreachableAfterMs ?? DEFAULT_AWS_UNREACHABLE_AFTER_MS);
    return evaluateReadiness({
      ...(awsUnreachable !== undefined ? { awsUnreachable } : {}),
      desiredStateFolderExists: true,
      desiredStateLoaded: this.store.loaded,
      firstSyncDone: this.firstSyncPending !== undefined && this.firstSyncPending.size === 0,
    });
  }

  /** Leader election moved shards: forgets the services this replica lost, and resyncs to take up those it gained. */
  ownershipChanged(): void {
    if (!this.workers || this.stopping) return;
    this.queue.dropUnaccepted();
    for (const key of [...this.statuses.keys()]) if (!this.owns(key)) this.forgetService(key);
    for (const key of [...(this.firstSyncPending ?? [])]) if (!this.owns(key)) this.firstSyncPending?.delete(key);
    void this.resync();
  }

  private owns(key: ServiceKey): boolean {
    return this.options.ownership?.owns(key) ?? true;
  }

  /** Runs a resync now (or right after the one in progress). Resolves when it is done. */
  resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncTimer?.();
    this.resyncing = this.resyncLoop().finally(() => {
      this.resyncing = undefined;
      this.scheduleResync();
    });
    return this.resyncing;
  }

  private async resyncLoop(): Promise<void> {
    do {
      this.resyncAgain = false;
      await this.resyncOnce();
    } while (this.resyncAgain && !this.stopping);
  }

  private async shutDown(): Promise<WorkersExit> {
    this.log.info({ timeoutMs: this.shutdownTimeoutMs }, 'stopping: finishing the reconciles in flight');
    this.resyncTimer?.();
    const closing = this.watcher?.close().catch((error: unknown) => this.log.warn({ err: error }, 'closing the folder watcher failed'));
    this.queue.shutDown();
    const abandonLater = this.time.schedule(() => this.abandon.abort(), this.shutdownTimeoutMs);
    const exit = await (this.workers ?? Promise.resolve<WorkersExit>('drained'));
    abandonLater();
    await closing;
    if (!this.options.ownership) this.options.metrics.setLeader(false);
    if (exit === 'abandoned') this.log.warn({ timeoutMs: this.shutdownTimeoutMs }, 'stopped: abandoned the reconciles still in flight');
    else this.log.info('stopped: every reconcile in flight finished');
    return exit;
  }

  private get shutdownTimeoutMs(): number {
    return this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  }

  private scheduleResync(): void {
    if (this.stopping) return;
    this.resyncTimer?.();
    const delayMs = jitteredInterval(this.options.resyncMs ?? DEFAULT_RESYNC_MS, this.random);
    this.resyncTimer = this.time.schedule(() => void this.resync(), delayMs);
  }

  /** Loads the folder once at a time; with `enqueue`, queues the services whose manifest changed. */
  private reload(enqueue: boolean): Promise<void> {
    this.loading = this.loading
      .then(() => this.loadOnce(enqueue))
      .catch((error: unknown) => this.log.error({ err: error }, 'loading the desired state failed; the last good state stays in force'));
    return this.loading;
  }

  private async loadOnce(enqueue: boolean): Promise<void> {
    if (this.stopping) return;
    const snapshot = await this.options.io.load(this.options.dir);
    const update = this.store.update(snapshot, new Date(this.time.now()));
    const { metrics } = this.options;
    const errors = this.store.manifestErrors.length;
    if (!update.usable) {
      metrics.observeManifestLoad('error', errors);
      this.log.error({ event: 'desired-state', dir: this.options.dir, problem: update.problem }, `${update.problem}: the last good state stays in force, nothing is deleted`);
      return;
    }
    metrics.observeManifestLoad(errors > 0 ? 'invalid' : 'success', errors);
    if (update.revisionChanged) metrics.setDesiredRevision(this.store.revision ?? '');
    for (const problem of this.store.manifestErrors) this.log.warn({ event: 'manifest-error', ...problem }, `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`);
    if (update.keptFiles.length > 0) this.log.warn({ event: 'desired-state', files: update.keptFiles }, 'files with errors keep their last good state');
    if (update.unknownFiles.length > 0) this.log.warn({ event: 'desired-state', files: update.unknownFiles }, 'files with errors and no last good state: their services are left alone');
    if (update.revisionChanged || update.changed.length > 0 || update.removed.length > 0) {
      this.log.info(
        { event: 'desired-state', revision: this.store.revision, services: this.store.services.size, changed: update.changed, removed: update.removed },
        `desired state ${this.store.revision} loaded`,
      );
    }
    // A new or changed service gets (or keeps) its status row at once, Unknown until reconciled.
    for (const key of update.changed) this.setStatus(this.store.services.get(key) as DesiredService, undefined);
    if (!enqueue) return;
    if (this.firstSyncPending === undefined) {
      // The folder became usable after start: the initial full sync still has to run.
      void this.resync();
      return;
    }
    for (const key of [...update.changed, ...update.removed]) this.queue.add(key);
    if (update.removed.length > 0 && this.options.prune) void this.resync();
  }

  /** Records a new judgement of the service (or, without one, refreshes its manifest-derived fields). */
  private setStatus(service: DesiredService, judgement: Judgement | undefined): void {
    if (!this.owns(service.key)) return;
    const previous = this.statuses.get(service.key);
    const { syncStatus, healthStatus, message } = judgement ?? previous ?? { syncStatus: 'Unknown', healthStatus: 'Unknown' };
    const lastSyncAt = judgement?.lastSyncAt ?? previous?.lastSyncAt;
    const rollout = judgement?.rollout ?? previous?.rollout;
    const summary: ServiceSummary = {
      key: service.key,
      cluster: service.cluster,
      service: service.name,
      strategy: strategyOf(service),
      syncStatus,
      healthStatus,
      ...(message !== undefined ? { message } : {}),
      ...(lastSyncAt !== undefined ? { lastSyncAt } : {}),
      ...(rollout !== undefined ? { rollout } : {}),
    };
    this.statuses.set(service.key, summary);
    this.options.metrics.setServiceStatus(summary);
  }

  private forgetService(key: ServiceKey): void {
    if (!this.statuses.has(key)) return;
    this.statuses.delete(key);
    this.syncedHashes.delete(key);
    this.loggedNotes.delete(key);
    this.rolloutReports.delete(key);
    this.decisions.forget(key);
    this.options.metrics.removeService(key);
  }

  private async resyncOnce(): Promise<void> {
    await this.reload(false);
    if (this.stopping || !this.store.loaded) return;
    const services = [...this.store.services.values()].filter((service) => this.owns(service.key));
    let state: ObservedState;
    try {
      state = await this.options.io.observe(services, { clusterTags: this.options.prune ?? false });
    } catch (error) {
      this.log.error({ event: 'resync', err: error }, 'resync could not observe AWS; every service is queued instead');
      this.queueAll(services.map((service) => service.key));
      return;
    }
    const revision = this.store.revision ?? '';
    const recordKey = this.options.recordKey;
    const selection = selectOutOfSync(services, state, { revision, instance: this.options.instance, now: this.time.now(), ...(recordKey ? { recordKey } : {}) });
    const now = new Date(this.time.now()).toISOString();
    // A queued service is judged by its reconcile: a Canary/BlueGreen one by its rollout (an aborted one is Degraded
    // even though its stable task set is healthy), which a plan alone cannot tell.
    const queued = new Set(selection.outOfSync);
    for (const service of services) {
      const plan = selection.plans.get(service.key);
      if (plan === undefined || queued.has(service.key)) continue;
      const status = statusFromPlan(plan, state.services[service.key], familyOf(service));
      if (status.syncStatus === 'Synced') this.syncedHashes.set(service.key, service.hash);
      this.setStatus(service, { ...status, ...(status.syncStatus === 'Synced' ? { lastSyncAt: now } : {}) });
    }
    this.log.info({ event: 'resync', services: services.length, outOfSync: selection.outOfSync }, `resync: ${selection.outOfSync.length} of ${services.length} services differ`);
    if (this.options.prune) this.approveDeletions(state);
    this.queueAll(selection.outOfSync);
  }

  /** Queues keys; the first time, they are the initial sync that readiness waits for. */
  private queueAll(keys: readonly ServiceKey[]): void {
    this.firstSyncPending ??= new Set(keys);
    for (const key of keys) this.queue.add(key);
  }

  private approveDeletions(state: ObservedState): void {
    const plan = planPrune({
      desiredKeys: [...this.store.services.keys()],
      state,
      instance: this.options.instance,
      now: this.time.now(),
      ...(this.options.pruneBudget ? { budget: this.options.pruneBudget } : {}),
      ...this.pruneBlocker(),
    });
    this.approvedDeletions = new Map();
    this.options.metrics.setPruneHeld(plan.outcome === 'refused' ? plan.held : {});
    if (plan.outcome === 'refused') {
      if (plan.deleteKeys.length > 0) logDecision(this.log, { action: 'prune', outcome: 'refused', reason: plan.reason, details: { wouldDelete: plan.deleteKeys } });
      return;
    }
    for (const key of plan.deleteKeys) {
      this.approvedDeletions.set(key, plan);
      this.queue.add(key);
    }
  }

  private pruneBlocker(): { blocker?: string } {
    const blocker = this.store.pruneBlocker;
    return blocker === undefined ? {} : { blocker };
  }

  /** The work-queue handler: reconcile a desired service, delete an approved one, or forget one that left. */
  private async handle(key: ServiceKey): Promise<HandlerResult | void> {
    try {
      const desired = this.store.services.get(key);
      if (desired) return await this.reconcile(desired);
      const deletion = this.approvedDeletions.get(key);
      if (deletion) return await this.deleteService(key, deletion);
      this.forgetService(key);
      const reason = this.options.prune ? 'no manifest names it any more; the next resync decides whether to prune it' : 'no manifest names it any more; left running in AWS (prune is off)';
      this.decide(this.keyLogger(key), key, { action: 'forget', outcome: 'skipped', reason });
    } finally {
      this.firstSyncPending?.delete(key);
    }
  }

  private decide(log: Logger, key: ServiceKey, decision: Decision): void {
    const { cluster, service } = parseServiceKey(key);
    this.decisions.record(log, { key, cluster, service, ...(this.store.revision ? { revision: this.store.revision } : {}) }, decision);
  }

  private keyLogger(key: ServiceKey): Logger {
    const { cluster, service } = parseServiceKey(key);
    return reconcileLogger(this.log, { reconcileId: newReconcileId(), cluster, service, ...(this.store.revision ? { revision: this.store.revision } : {}) });
  }

  private async reconcile(desired: DesiredService): Promise<HandlerResult | void> {
    const log = this.keyLogger(desired.key);
    const startedAt = this.time.now();
    const report = await withCallLogger(log, () => this.options.io.reconcile(desired.key, this.store.snapshot())).catch(
      (error: unknown): ReconcileReport => ({ revision: this.store.revision ?? '', root: '', dryRun: false, services: [], diagnostics: [], error: toApplyError(error) }),
    );
    const result = report.services.find((service) => service.key === desired.key);
    if (result?.status === 'in-sync' || result?.status === 'changed') this.logNewNotes(log, desired.key, result.messages.filter((message) => !isRolloutMessage(message)));
    const drift = result?.status === 'changed' && this.syncedHashes.get(desired.key) === desired.hash;
    const verdict: Verdict =
      report.error || !result
        ? judgeError(report.error ?? { code: 'NotReconciled', message: 'the reconcile reported nothing for this service' })
        : judgeResult(result, report.observed?.[desired.key], { revision: report.revision, drift, requeue: this.options.requeue ?? DEFAULT_REQUEUE, family: familyOf(desired) });
    const { metrics } = this.options;
    metrics.observeReconcile(verdict.result, (this.time.now() - startedAt) / 1000);
    if (drift) metrics.countDriftCorrection(desired.key);
    const synced = verdict.syncStatus === 'Synced';
    if (synced) this.syncedHashes.set(desired.key, desired.hash);
    const rollout = report.rollouts?.[desired.key];
    if (rollout) {
      recordRolloutMetrics(metrics, rollout);
      this.rolloutReports.set(desired.key, rollout);
    } else if (!usesTaskSets(desired.manifest.spec)) this.rolloutReports.delete(desired.key);
    const rolloutSummary = rollout ? toRolloutSummary(rollout) : undefined;
    this.setStatus(desired, {
      syncStatus: verdict.syncStatus,
      healthStatus: rollout?.status ? rolloutHealth(rollout) : verdict.healthStatus,
      ...(verdict.message !== undefined ? { message: verdict.message } : {}),
      ...(synced ? { lastSyncAt: new Date(this.time.now()).toISOString() } : {}),
      ...(rolloutSummary ? { rollout: rolloutSummary } : {}),
    });
    const hold = result && holdDecision(result, familyOf(desired), report.revision);
    if (hold) {
      this.decide(log, desired.key, hold);
      if (hold.action === 'hold-started') metrics.countFailedRevision(strategyOf(desired), String(hold.details?.by));
    }
    this.decide(log, desired.key, { ...verdict.decision, details: { ...verdict.decision.details, syncStatus: verdict.syncStatus, healthStatus: verdict.healthStatus } });
    for (const decision of rollout?.decisions ?? []) this.decide(log, desired.key, decision);
    if (verdict.retry) throw new Error(verdict.message ?? `reconcile of ${desired.key} failed`);
    const delays = [verdict.requeueAfterMs, report.requeueAfterMs].filter((delay): delay is number => delay !== undefined);
    return delays.length === 0 ? undefined : { requeueAfterMs: Math.min(...delays) };
  }

  /**
   * A plan's notes (e.g. "desiredCount 5 is ignored: ...") when they first appear, not at every reconcile. The other
   * statuses carry their messages in the decision line already, and a rollout's progress has lines of its own.
   */
  private logNewNotes(log: Logger, key: ServiceKey, notes: readonly string[]): void {
    const logged = this.loggedNotes.get(key);
    for (const note of notes) if (!logged?.has(note)) log.info({ event: 'note' }, note);
    if (notes.length > 0) this.loggedNotes.set(key, new Set(notes));
    else this.loggedNotes.delete(key);
  }

  private async deleteService(key: ServiceKey, plan: OkPrunePlan): Promise<void> {
    this.approvedDeletions.delete(key);
    const log = this.keyLogger(key);
    const blocker = this.store.pruneBlocker;
    if (blocker !== undefined) {
      this.decide(log, key, { action: 'prune', outcome: 'refused', reason: `${blocker}; not deleting` });
      return;
    }
    const startedAt = this.time.now();
    const result: PruneResult = await withCallLogger(log, () => this.options.io.prune(prunePlanFor(plan, key)));
    const deleted = result.outcome === 'ok' ? result.services.find((service) => service.key === key) : undefined;
    const failed = deleted?.status !== 'deleted';
    this.options.metrics.observeReconcile(failed ? 'error' : 'success', (this.time.now() - startedAt) / 1000);
    const decision: Decision = failed
      ? { action: 'prune', outcome: 'failed', reason: deleted?.error ? `${deleted.error.code}: ${deleted.error.message}` : 'the deletion did not run; the next resync decides again' }
      : {
          action: 'prune',
          outcome: 'applied',
          reason: 'no manifest names this managed service: scaled to 0 and deleted',
          requestedBy: byGit(this.store.revision),
          details: { actions: deleted.actions.map((a) => a.kind) },
        };
    this.decide(log, key, decision);
    if (!failed) this.forgetService(key);
  }
}

function familyOf(service: DesiredService): string {
  return service.manifest.spec.taskDefinition.family;
}
