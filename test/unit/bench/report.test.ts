import { describe, expect, it } from 'vitest';
import { markdownTable } from '../../../bench/lib/report.js';
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
    expect(table).toContain("4 clusters, 30 ms per call, AWS's documented token buckets on both sides.");
  });

  it('says when the controller ran with a heap limit', () => {
    expect(markdownTable([steadyRun], { latencyMs: 30, clusters: 4, controllerHeapMb: 128 })).toContain('--max-old-space-size=128');
  });
});
