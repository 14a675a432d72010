import { describe, expect, it } from 'vitest';
import { isResultFileName, markdownTable, resultFileName, runsBySize } from '../../../bench/lib/report.js';
import { PRODUCTION_NODE_OPTIONS } from '../../../bench/lib/options.js';
import type { RunResult } from '../../../bench/lib/report.js';

const summary = (value: number) => ({ count: 3, min: value, p50: value, p99: value, max: value });

const steadyRun: RunResult = {
  services: 1000,
  clusters: 4,
  steady: {
    resyncs: 3,
    reads: 142,
    readsByOperation: {},
    writes: 0,
    readFloor: 142,
    readFloorByOperation: {},
    readRatio: 1,
    seconds: summary(5.56),
    boundSeconds: 5.6,
    cpuSecondsPerResync: summary(1.2),
  },
};

describe('markdownTable', () => {
  it('puts each figure next to its floor, a column per N, and leaves out figures no run measured', () => {
    const table = markdownTable([{ services: 100, clusters: 4 }, steadyRun], { latencyMs: 30, clusters: 4 });
    const lines = table.split('\n');
    expect(lines[0]).toBe('| figure | floor / target | N = 100 | N = 1,000 |');
    expect(lines).toContain('| steady state: reads per resync | floor from the manifests | - | 142 (floor 142) |');
    expect(lines).toContain('| steady state: reads / floor | target <= 1.10 | - | 1.00 |');
    expect(lines).toContain('| steady state: writes per resync | must be 0 | - | 0 |');
    expect(table).not.toContain('commit-to-action');
    expect(table).toContain("4 clusters, 30 ms per call, AWS's documented token buckets on both sides; the controller ran with");
  });

  it("says the controller ran with production's V8 flags, or with the heap limit given instead", () => {
    expect(markdownTable([steadyRun], { latencyMs: 30, clusters: 4 })).toContain(`the controller ran with ${PRODUCTION_NODE_OPTIONS}, as in production.`);
    const limited = markdownTable([steadyRun], { latencyMs: 30, clusters: 4, controllerHeapMb: 128 });
    expect(limited).toContain('--max-old-space-size=128');
    expect(limited).not.toContain('--max-old-space-size=512');
  });
});

describe('stored results', () => {
  it('names one file per size, so a later run of a size replaces it', () => {
    expect(resultFileName(1000)).toBe('results-1000.json');
    expect(isResultFileName('results-1000.json')).toBe(true);
    expect(isResultFileName('results-2026-11-22T00-40-06-600Z.json')).toBe(false);
    expect(isResultFileName('results.md')).toBe(false);
  });

  it('tables the stored sizes in order of N', () => {
    const stored = [5000, 100, 1000].map((services) => ({ options: {}, run: { services, clusters: 4 } }));
    expect(runsBySize(stored).map((run) => run.services)).toEqual([100, 1000, 5000]);
  });
});
