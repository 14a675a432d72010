import { describe, expect, it } from 'vitest';
import { DecisionJournal } from '../../../src/audit/index.js';
import type { AuditEntry } from '../../../src/audit/index.js';
import { createLogger } from '../../../src/log/logger.js';
import { captureLines } from '../log/capture.js';

const SCOPE = { key: 'prod/web', cluster: 'prod', service: 'web', revision: '9f1c2e7' };

function setup(kept?: number) {
  const out = captureLines();
  const log = createLogger({ destination: out.stream, level: 'debug' });
  let now = Date.UTC(2026, 0, 1, 10, 0, 0);
  const journal = new DecisionJournal({ now: () => now++, ...(kept !== undefined ? { kept } : {}) });
  return { out, log, journal };
}

describe('DecisionJournal', () => {
  it('logs each decision as one line with the schema fields, and keeps it with the service and revision', () => {
    const { out, log, journal } = setup();
    journal.record(log, SCOPE, { action: 'set-weight', outcome: 'applied', reason: 'canary step 3/5: weight 10 -> 25', from: 10, to: 25, requestedBy: 'controller', details: { step: 2 } });
    expect(out.records()).toEqual([expect.objectContaining({ event: 'decision', action: 'set-weight', outcome: 'applied', from: 10, to: 25, requestedBy: 'controller', step: 2, msg: 'canary step 3/5: weight 10 -> 25' })]);
    expect(journal.recent('prod/web')).toEqual([
      {
        time: '2026-01-01T10:00:00.000Z',
        ...SCOPE,
        action: 'set-weight',
        outcome: 'applied',
        reason: 'canary step 3/5: weight 10 -> 25',
        from: 10,
        to: 25,
        requestedBy: 'controller',
        details: { step: 2 },
      },
    ]);
  });

  it('keeps only the last N per service, oldest first, each service on its own', () => {
    const { log, journal } = setup(3);
    for (let i = 0; i < 5; i++) journal.record(log, SCOPE, { action: 'step', outcome: 'applied', reason: `step ${i}` });
    journal.record(log, { ...SCOPE, key: 'prod/api', service: 'api' }, { action: 'update', outcome: 'applied', reason: 'api' });
    expect(journal.recent('prod/web').map((entry) => entry.reason)).toEqual(['step 2', 'step 3', 'step 4']);
    expect(journal.recent('prod/api')).toHaveLength(1);
    journal.forget('prod/web');
    expect(journal.recent('prod/web')).toEqual([]);
  });

  it('logs a no-op (skipped) at debug but neither keeps nor publishes it', () => {
    const { out, log, journal } = setup();
    const seen: AuditEntry[] = [];
    journal.subscribe((entry) => seen.push(entry));
    journal.record(log, SCOPE, { action: 'sync', outcome: 'skipped', reason: 'in sync' });
    expect(out.records()).toEqual([expect.objectContaining({ level: 'debug', action: 'sync' })]);
    expect(journal.recent('prod/web')).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('a listener that throws is logged; the decision is kept and the other listeners still hear it', () => {
    const { out, log, journal } = setup();
    const seen: string[] = [];
    journal.subscribe(() => {
      throw new Error('queue exploded');
    });
    journal.subscribe((entry) => seen.push(entry.action));
    journal.record(log, SCOPE, { action: 'abort', outcome: 'applied', reason: 'abort requested' });
    expect(seen).toEqual(['abort']);
    expect(journal.recent('prod/web')).toHaveLength(1);
    expect(out.records().at(-1)).toMatchObject({ level: 'warn', msg: 'a decision listener failed; the decision stands', err: { message: 'queue exploded' } });
  });

  it('refuses a size that is not a whole number of at least 1', () => {
    expect(() => new DecisionJournal({ now: Date.now, kept: 0 })).toThrow(/whole number >= 1/);
  });
});
