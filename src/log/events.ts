import { randomBytes } from 'node:crypto';
import type { Level, Logger } from 'pino';
import type { AwsCallEvent } from '../metrics/metrics.js';

/** What every line of one reconcile carries, so `reconcileId` (or `key`) greps out a whole pass. */
export interface ReconcileContext {
  reconcileId: string;
  cluster: string;
  service: string;
  /** The desired-state revision this pass works from. */
  revision?: string;
}

/** A short id that is unique enough to correlate the lines of one reconcile. */
export function newReconcileId(): string {
  return randomBytes(4).toString('hex');
}

export function reconcileLogger(log: Logger, { reconcileId, cluster, service, revision }: ReconcileContext): Logger {
  return log.child({ reconcileId, key: `${cluster}/${service}`, cluster, service, ...(revision === undefined ? {} : { revision }) });
}

/**
 * How a decision ended: `applied` (AWS was changed), `planned` (dry run or diff), `skipped` (nothing to do),
 * `waiting` (a gate or pause holds the rollout), `refused` (a safety rule forbids it), `failed`.
 */
export type DecisionOutcome = 'applied' | 'planned' | 'skipped' | 'waiting' | 'refused' | 'failed';

/**
 * Every `action` a decision may have (docs/observability.md "Decisions"); Notification manifests select from these.
 * `sync` and `forget` are no-ops (debug level): they are logged, never kept or notified.
 */
export const DECISION_ACTIONS = [
  'create',
  'update',
  'drift-corrected',
  'conflict',
  'blocked',
  'reconcile-failed',
  'rollout-started',
  'step',
  'set-weight',
  'pause-started',
  'pause-ended',
  'analysis-measurement',
  'analysis-completed',
  'promote',
  'promote-full',
  'abort',
  'retry',
  'rollout-promoted',
  'rollout-aborted',
  'rollout-superseded',
  'rollout-warning',
  'hold-started',
  'hold-ended',
  'prune',
  'sync',
  'forget',
] as const;

export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/**
 * One decision, the stable schema of the audit (docs/observability.md "Decisions"): logged as one line, kept in the
 * service's recent decisions and sent to notification targets.
 */
export interface Decision {
  /** What was decided, e.g. `update`, `set-weight`, `prune`, `promote` (the list is in docs/observability.md). */
  action: string;
  outcome: DecisionOutcome;
  /** Why, in one sentence an operator can act on; becomes the message. */
  reason: string;
  /** The value before and after, when the decision moves one: a weight in percent, a revision. */
  from?: string | number;
  to?: string | number;
  /** Who asked: `git:<revision>`, `request:<request tag value>` (the CLI), or `controller` (drift, analysis, a deadline). */
  requestedBy?: string;
  /** Anything else worth keeping, e.g. the changed fields or an analysis measurement. */
  details?: Record<string, unknown>;
  err?: unknown;
}

/** `requestedBy` of a decision that a desired-state revision asked for. */
export function byGit(revision: string | undefined): string {
  return revision ? `git:${revision}` : 'git';
}

export const BY_CONTROLLER = 'controller';

const DECISION_LEVEL: Record<DecisionOutcome, Level> = {
  applied: 'info',
  planned: 'info',
  skipped: 'debug',
  waiting: 'info',
  refused: 'warn',
  failed: 'error',
};

/** One line per decision the controller takes. */
export function logDecision(log: Logger, decision: Decision): void {
  const { action, outcome, reason, details, err } = decision;
  // Details go first so that they can never overwrite the fields every decision line is searched by.
  log[DECISION_LEVEL[outcome]]({ ...details, event: 'decision', action, outcome, ...decisionValues(decision), ...(err === undefined ? {} : { err }) }, reason);
}

/** The optional schema fields a decision has. */
export function decisionValues({ from, to, requestedBy }: Decision): Pick<Decision, 'from' | 'to' | 'requestedBy'> {
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), ...(requestedBy === undefined ? {} : { requestedBy }) };
}

/** Debug-level decisions (nothing to do) are logged but not kept or notified: they are the steady state. */
export function isNoteworthy(decision: Pick<Decision, 'outcome'>): boolean {
  return DECISION_LEVEL[decision.outcome] !== 'debug';
}

const AWS_OUTCOME_LEVEL: Record<AwsCallEvent['outcome'], Level> = { ok: 'info', throttled: 'warn', error: 'error' };

/**
 * An AWS call observer that writes one line per AWS write (at info, or warn/error when throttled/failed) and keeps
 * reads at debug: the metrics already count them, and a resync of many services would flood the log.
 */
export function awsCallLogger(log: Logger): (event: AwsCallEvent) => void {
  return ({ api, operation, outcome, durationSeconds, mutating }) => {
    const level = mutating ? AWS_OUTCOME_LEVEL[outcome] : 'debug';
    log[level]({ event: 'aws-call', api, operation, outcome, mutating, durationMs: Math.round(durationSeconds * 1000) }, `${api}:${operation} ${outcome}`);
  };
}
