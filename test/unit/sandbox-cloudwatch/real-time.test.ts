/**
 * CloudWatch stamps datapoints in real time even when the sandbox runs its lifecycles faster than the wall clock:
 * a controller asks for the minutes before its own `now`, as against AWS, and must find the traffic there.
 */
import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../../../src/sandbox/core/clock.js';
import { loadSeedFile } from '../../../src/sandbox/core/seed.js';
import { createAccount } from '../../../src/sandbox/sandbox.js';

const MINUTE = 60_000;
const WALL_START = Date.UTC(2026, 5, 1, 12, 0, 0);

describe('sandbox CloudWatch time', () => {
  it('ScaledClock maps simulated moments back onto the wall clock, an advance moving simulated time only', () => {
    let wall = 1_000;
    const clock = new ScaledClock(10, 5_000, () => wall);
    wall = 1_100;
    expect(clock.realTime(clock.now())).toBe(1_100);
    clock.advance(60_000);
    expect(clock.realTime(clock.now())).toBe(1_100);
  });

  it('stamps the demo load balancer’s requests in wall-clock minutes while simulated time runs 10x ahead', async () => {
    let wall = WALL_START;
    const seed = await loadSeedFile('desired-state/.sandbox/seed.yaml');
    // Started an hour before the wall clock, like any seed with a clock.start: neither the epoch nor the speed shows.
    const account = createAccount({ seed, clock: new ScaledClock(10, WALL_START - 3_600_000, () => wall) });
    for (let i = 0; i < 3 * 60; i++) {
      wall += 1_000;
      account.tick();
    }
    expect(account.clock.now()).toBe(WALL_START - 3_600_000 + 30 * MINUTE);
    const response = await account.handle({
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData' },
      body: JSON.stringify({
        StartTime: (wall - 5 * MINUTE) / 1000,
        EndTime: Math.floor(wall / MINUTE) * MINUTE / 1000,
        MetricDataQueries: [
          {
            Id: 'requests',
            MetricStat: {
              Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{ Name: 'LoadBalancer', Value: 'app/demo-alb/50dc6c495c0c9188' }] },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    });
    const [result] = (JSON.parse(response.body) as { MetricDataResults: Array<{ Timestamps: number[]; Values: number[] }> }).MetricDataResults;
    // Three wall minutes of traffic, each wall second counted once.
    expect(result!.Timestamps.map((t) => t * 1000)).toEqual([WALL_START + 2 * MINUTE, WALL_START + MINUTE, WALL_START]);
    const perMinute = result!.Values[0]!;
    expect(perMinute).toBeGreaterThan(0);
    expect(result!.Values.map(Math.round)).toEqual([perMinute, perMinute, perMinute]);
  });
});
