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

export interface Decision {
  /** What was decided, e.g. `update-service`, `set-weight`, `prune`, `promote`. */
  action: string;
  outcome: DecisionOutcome;
  /** Why, in one sentence an operator can act on; becomes the message. */
  reason: string;
  /** Anything else worth keeping, e.g. `{ from: 10, to: 25 }` or the changed fields. */
  details?: Record<string, unknown>;
  err?: unknown;
}

const DECISION_LEVEL: Record<DecisionOutcome, Level> = {
  applied: 'info',
  planned: 'info',
  skipped: 'debug',
  waiting: 'info',
  refused: 'warn',
  failed: 'error',
};

/** One line per decision the controller takes. */
export function logDecision(log: Logger, { action, outcome, reason, details, err }: Decision): void {
  // Details go first so that they can never overwrite the fields every decision line is searched by.
  log[DECISION_LEVEL[outcome]]({ ...details, event: 'decision', action, outcome, ...(err === undefined ? {} : { err }) }, reason);
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
