import type { AwsApi, AwsCallEvent, AwsCallObserver, AwsCallOutcome } from '../aws/index.js';

/** Attempts of one operation, by outcome (a throttled attempt and its successful retry count once each). */
export interface OperationCalls {
  api: AwsApi;
  operation: string;
  mutating: boolean;
  ok: number;
  throttled: number;
  error: number;
}

export interface CallSummary {
  /** Every attempt, retries included. */
  total: number;
  reads: number;
  mutating: number;
  throttled: number;
  /** Sorted by api, then operation. */
  operations: OperationCalls[];
}

/** Pure: the attempts counted by api/operation/outcome, reads apart from mutating calls. */
export function summarizeCalls(events: readonly AwsCallEvent[]): CallSummary {
  const byOperation = new Map<string, OperationCalls>();
  for (const event of events) {
    const id = `${event.api} ${event.operation}`;
    const entry = byOperation.get(id) ?? { api: event.api, operation: event.operation, mutating: event.mutating, ok: 0, throttled: 0, error: 0 };
    entry[event.outcome satisfies AwsCallOutcome] += 1;
    byOperation.set(id, entry);
  }
  const operations = [...byOperation.values()].sort((a, b) => a.api.localeCompare(b.api) || a.operation.localeCompare(b.operation));
  const attempts = (entry: OperationCalls) => entry.ok + entry.throttled + entry.error;
  const sum = (entries: OperationCalls[]) => entries.reduce((total, entry) => total + attempts(entry), 0);
  return {
    total: sum(operations),
    reads: sum(operations.filter((entry) => !entry.mutating)),
    mutating: sum(operations.filter((entry) => entry.mutating)),
    throttled: operations.reduce((total, entry) => total + entry.throttled, 0),
    operations,
  };
}

/**
 * Records the attempts the shared client layer reports. Pass `observer` to `createAwsClients`; a reconcile pass
 * reads `since(mark)` so that one recorder can serve many passes (the controller's).
 */
export class CallRecorder {
  private readonly events: AwsCallEvent[] = [];

  readonly observer: AwsCallObserver = (event) => {
    this.events.push(event);
  };

  /** A position in the log, for `since`. */
  mark(): number {
    return this.events.length;
  }

  since(mark = 0): CallSummary {
    return summarizeCalls(this.events.slice(mark));
  }
}
