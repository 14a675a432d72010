import type { AuditEntry } from './journal.js';

/** The decisions as `status SERVICE` prints them, newest last, in the spirit of `kubectl describe`'s events. */
export function renderDecisions(entries: readonly AuditEntry[]): string[] {
  if (entries.length === 0) return ['  (none yet)'];
  return entries.map((entry) => {
    const by = entry.requestedBy ? `  [${entry.requestedBy}]` : '';
    return `  ${entry.time}  ${entry.action.padEnd(20)} ${entry.outcome.padEnd(8)} ${entry.reason}${by}`;
  });
}
