/**
 * The decision audit: every decision the controller takes is logged as one line (src/log/events.ts), kept in a
 * bounded ring per service (for `/status/CLUSTER/SERVICE` and `status SERVICE`, like the events of
 * `kubectl describe`) and handed to listeners (notifications). Memory is bounded by services x `kept`.
 */
import { decisionValues, isNoteworthy, logDecision } from '../log/events.js';
import type { Decision } from '../log/events.js';
import type { Logger } from '../log/logger.js';

/** One kept decision: the log line's schema, with the service and the desired-state revision it was taken at. */
export interface AuditEntry {
  /** ISO 8601 UTC. */
  time: string;
  /** `cluster/service`. */
  key: string;
  cluster: string;
  service: string;
  /** The desired-state (git) revision in force. */
  revision?: string;
  action: string;
  outcome: Decision['outcome'];
  reason: string;
  from?: string | number;
  to?: string | number;
  requestedBy?: string;
  details?: Record<string, unknown>;
}

export interface DecisionScope {
  key: string;
  cluster: string;
  service: string;
  revision?: string;
}

export type DecisionListener = (entry: AuditEntry) => void;

/** Decisions kept per service unless told otherwise. */
export const DEFAULT_DECISIONS_KEPT = 20;

export class DecisionJournal {
  private readonly recentByKey = new Map<string, AuditEntry[]>();
  private readonly listeners: DecisionListener[] = [];

  constructor(private readonly options: { now: () => number; kept?: number }) {
    if (this.kept < 1 || !Number.isInteger(this.kept)) throw new Error(`decisions kept per service must be a whole number >= 1, got ${this.kept}`);
  }

  private get kept(): number {
    return this.options.kept ?? DEFAULT_DECISIONS_KEPT;
  }

  /** Called with every noteworthy decision, after it is logged and kept. A listener that throws is logged, never fatal. */
  subscribe(listener: DecisionListener): void {
    this.listeners.push(listener);
  }

  /** Logs the decision; unless it is a no-op (debug level), keeps it and tells the listeners. */
  record(log: Logger, scope: DecisionScope, decision: Decision): void {
    logDecision(log, decision);
    if (!isNoteworthy(decision)) return;
    const entry: AuditEntry = {
      time: new Date(this.options.now()).toISOString(),
      key: scope.key,
      cluster: scope.cluster,
      service: scope.service,
      ...(scope.revision ? { revision: scope.revision } : {}),
      action: decision.action,
      outcome: decision.outcome,
      reason: decision.reason,
      ...decisionValues(decision),
      ...(decision.details ? { details: decision.details } : {}),
    };
    const recent = this.recentByKey.get(scope.key) ?? [];
    recent.push(entry);
    if (recent.length > this.kept) recent.splice(0, recent.length - this.kept);
    this.recentByKey.set(scope.key, recent);
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch (error) {
        log.warn({ err: error, action: decision.action }, 'a decision listener failed; the decision stands');
      }
    }
  }

  /** The service's last decisions, oldest first. */
  recent(key: string): AuditEntry[] {
    return [...(this.recentByKey.get(key) ?? [])];
  }

  /** Whether any decision of the service is kept. */
  has(key: string): boolean {
    return this.recentByKey.has(key);
  }

  forget(key: string): void {
    this.recentByKey.delete(key);
  }
}
