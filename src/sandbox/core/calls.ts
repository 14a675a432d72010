export type CallOutcome = 'ok' | 'throttled' | 'error' | 'fault';

export interface CallRecord {
  /** Increasing sequence number: `GET /_sandbox/calls?since=N` returns the calls after N. */
  seq: number;
  /** Simulated time of the call, epoch ms. */
  time: number;
  service: string;
  operation: string;
  mutating: boolean;
  outcome: CallOutcome;
  errorCode?: string;
  requestId: string;
  /** The request's input, for mutating calls only (tests assert on the sequence of writes, e.g. rule weights). */
  input?: unknown;
  /** The caller's User-Agent header: tells apart the replicas of a controller (each appends its replica id). */
  userAgent?: string;
}

/** Reads by AWS naming convention: everything else changes state. */
export function isMutating(operation: string): boolean {
  return !/^(Describe|List|Get|BatchGet)/.test(operation);
}

/** The log of every API call; bounded so a long-running sandbox does not grow without limit. */
export class CallLog {
  private records: CallRecord[] = [];
  private nextSeq = 1;
  private readonly listeners = new Set<(record: CallRecord) => void>();

  constructor(private readonly capacity = 200_000) {}

  add(record: Omit<CallRecord, 'seq'>): CallRecord {
    const full = { seq: this.nextSeq++, ...record };
    this.records.push(full);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /**
   * Calls `listener` with every call logged from now on, as it is logged; returns the unsubscribe function. For an
   * in-process sandbox, this is how a test waits for calls without reading the whole log again and again.
   */
  subscribe(listener: (record: CallRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  since(seq = 0): CallRecord[] {
    if (seq <= 0) return [...this.records];
    const first = this.records.findIndex((r) => r.seq > seq);
    return first === -1 ? [] : this.records.slice(first);
  }

  clear(): void {
    this.records = [];
  }
}
