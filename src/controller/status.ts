/**
 * The controller's view of every service, as served by `/status` and the status page and mirrored in metrics.
 * Plain JSON data: timestamps are ISO 8601 strings.
 */

/** Does AWS match git? (Argo CD's sync status, plus the states this controller refuses to act in.) */
export const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Conflict', 'Error', 'Unknown'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** Is the running service healthy? (Argo CD's health status.) */
export const HEALTH_STATUSES = ['Healthy', 'Progressing', 'Degraded', 'Missing', 'Unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const ROLLOUT_STRATEGIES = ['Rolling', 'Canary', 'BlueGreen', 'Native'] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

export const ANALYSIS_STATUSES = ['Running', 'Successful', 'Failed', 'Inconclusive', 'Error'] as const;
export type AnalysisStatus = (typeof ANALYSIS_STATUSES)[number];

export interface AnalysisSummary {
  template: string;
  status: AnalysisStatus;
  message?: string;
}

export interface RolloutSummary {
  /** The state machine's phase, e.g. Stable, Progressing, Paused, Promoting, Finalizing, RollingBack, Degraded. */
  phase: string;
  /** Zero-based index of the current step. */
  step?: number;
  totalSteps?: number;
  /** Percent (0-100) of traffic sent to the new version. */
  canaryWeight?: number;
  /** When the current step began. */
  stepStartedAt?: string;
  /** Why the rollout waits or failed, e.g. "paused until promote", "analysis error-rate failed". */
  message?: string;
  analysis?: AnalysisSummary[];
}

export interface ServiceSummary {
  /** `cluster/service`, the work-queue key. */
  key: string;
  cluster: string;
  service: string;
  strategy: RolloutStrategy;
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  /** Why the service is not Synced/Healthy, in words an operator can act on. */
  message?: string;
  /** When a reconcile last left the service in sync. */
  lastSyncAt?: string;
  rollout?: RolloutSummary;
}

/**
 * One problem in the desired-state folder, at `file:line:col` (1-based). The manifest loader's `Diagnostic` fits as
 * is, so the controller can pass its errors through.
 */
export interface ManifestProblem {
  file: string;
  line: number;
  col: number;
  message: string;
  /** The field path inside the document, e.g. `spec.taskDefinition.cpu`; empty for the whole file. */
  path?: string;
  /** The rule that found it, e.g. `fargate-task-size`. */
  code?: string;
  hint?: string;
}

export interface StatusSnapshot {
  /** The git revision of the desired state in force; absent until it was first loaded. */
  revision?: string;
  /** When that desired state was loaded. */
  loadedAt?: string;
  manifestErrors: ManifestProblem[];
  services: ServiceSummary[];
  /** With leader election: this replica's role and the shards it holds (`services` lists only theirs). */
  ha?: HaStatus;
}

export interface HaStatus {
  replicaId: string;
  /** `leader` while it holds at least one shard's lease, else `standby`. */
  role: 'leader' | 'standby';
  shardCount: number;
  /** The shards it holds, each with its lease's fencing token. */
  held: Array<{ shard: number; token: number }>;
  /** Replicas whose heartbeat is alive, this one included. */
  liveReplicas: number;
}
