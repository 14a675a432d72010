import { describe, expect, it } from 'vitest';
import { ManualClock, ScaledClock } from '../../../src/sandbox/core/clock.js';
import { AwsError } from '../../../src/sandbox/core/errors.js';
import { Faults, matchingKey } from '../../../src/sandbox/core/faults.js';

describe('Faults', () => {
  it('throttles with a token bucket: burst, then refill per second', () => {
    const faults = new Faults();
    faults.configure({ throttle: { 'ecs.DescribeServices': { burst: 2, refillPerSecond: 0.5 } } });
    faults.takeToken('ecs', 'DescribeServices', 0);
    faults.takeToken('ecs', 'DescribeServices', 0);
    expect(() => faults.takeToken('ecs', 'DescribeServices', 0)).toThrow('Rate exceeded');
    expect(() => faults.takeToken('ecs', 'DescribeServices', 1000)).toThrow(AwsError);
    faults.takeToken('ecs', 'DescribeServices', 2000);
    faults.takeToken('ecs', 'ListServices', 2000);
  });

  it("answers each service's own throttling code: Throttling for ELBv2 and CloudWatch, ThrottlingException for the JSON APIs", () => {
    const faults = new Faults();
    faults.configure({ throttleRate: 1 });
    const codeOf = (service: string) => {
      try {
        faults.takeToken(service, 'Describe', 0);
      } catch (error) {
        return (error as AwsError).code;
      }
      return 'not throttled';
    };
    expect(Object.fromEntries(['ecs', 'autoscaling', 'elbv2', 'cloudwatch'].map((service) => [service, codeOf(service)]))).toEqual({
      ecs: 'ThrottlingException',
      autoscaling: 'ThrottlingException',
      elbv2: 'Throttling',
      cloudwatch: 'Throttling',
    });
  });

  it('shares one bucket across a wildcard and prefers the most specific key', () => {
    const rules = { 'ecs.*': 1, '*': 2, 'ecs.ListTasks': 3 };
    expect(matchingKey(rules, 'ecs', 'ListTasks')).toBe('ecs.ListTasks');
    expect(matchingKey(rules, 'ecs', 'DescribeTasks')).toBe('ecs.*');
    expect(matchingKey(rules, 'elbv2', 'DescribeRules')).toBe('*');
    const faults = new Faults();
    faults.configure({ throttle: { 'ecs.*': { burst: 1, refillPerSecond: 0 } } });
    faults.takeToken('ecs', 'ListTasks', 0);
    expect(() => faults.takeToken('ecs', 'DescribeTasks', 0)).toThrow('Rate exceeded');
  });

  it('injects server errors at the configured rate, repeatably for a seed', () => {
    const picks = (seed: number) => {
      const faults = new Faults();
      faults.configure({ serverErrorRate: 0.5, randomSeed: seed });
      return Array.from({ length: 200 }, () => faults.serverError()?.httpStatus ?? 200);
    };
    const first = picks(7);
    expect(first).toEqual(picks(7));
    const failures = first.filter((status) => status >= 500).length;
    expect(failures).toBeGreaterThan(60);
    expect(failures).toBeLessThan(140);
  });

  it('picks the injected latency per operation, most specific key first', () => {
    const faults = new Faults();
    expect(faults.latencyMs('ecs', 'ListTasks')).toBe(0);
    faults.configure({ latencyMs: { 'ecs.*': 50, 'ecs.ListTasks': 5 } });
    expect(faults.latencyMs('ecs', 'ListTasks')).toBe(5);
    expect(faults.latencyMs('ecs', 'DescribeTasks')).toBe(50);
    expect(faults.latencyMs('elbv2', 'DescribeRules')).toBe(0);
    faults.configure({ latencyMs: 20 });
    expect(faults.latencyMs('elbv2', 'DescribeRules')).toBe(20);
  });

  it('hides new resources for the consistency window', () => {
    const faults = new Faults();
    faults.configure({ consistencyWindowMs: 1000 });
    expect(faults.hidesFromReads(0, 999)).toBe(true);
    expect(faults.hidesFromReads(0, 1000)).toBe(false);
  });

  it('rejects unknown fault settings', () => {
    expect(() => new Faults().configure({ throttel: {} })).toThrow(/invalid fault configuration/);
  });
});

describe('clocks', () => {
  it('ManualClock moves only when advanced, and only forward', () => {
    const clock = new ManualClock(1000);
    clock.advance(500);
    expect(clock.now()).toBe(1500);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('ScaledClock runs wall time times the factor, plus any advance', () => {
    let wall = 0;
    const clock = new ScaledClock(10, 5000, () => wall);
    wall = 100;
    expect(clock.now()).toBe(6000);
    clock.advance(1000);
    expect(clock.now()).toBe(7000);
    expect(() => new ScaledClock(0)).toThrow(RangeError);
  });
});
