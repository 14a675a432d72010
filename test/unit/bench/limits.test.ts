import { describe, expect, it } from 'vitest';
import { bucketSeconds, coldStartFloorSeconds, resyncBoundSeconds, sandboxThrottle } from '../../../bench/lib/limits.js';

describe('bucketSeconds', () => {
  it('passes the burst at once and the rest at the refill rate', () => {
    expect(bucketSeconds(50, { ratePerSecond: 20, burst: 50 })).toBe(0);
    expect(bucketSeconds(150, { ratePerSecond: 20, burst: 50 })).toBe(5);
    expect(bucketSeconds(150, { ratePerSecond: 20, burst: 50 }, 10)).toBe(0.5);
  });
});

describe('resyncBoundSeconds', () => {
  it('divides each API reads by its sustained rate and takes the slowest API', () => {
    // ECS 20/s (documented); Application Auto Scaling and ELBv2 10/s (the client defaults).
    expect(resyncBoundSeconds({ 'ecs.ListServices': 12, 'ecs.DescribeServices': 100, 'autoscaling.DescribeScalableTargets': 4, 'elbv2.DescribeTargetGroups': 5 })).toBe(5.6);
    expect(resyncBoundSeconds({ 'autoscaling.DescribeScalingPolicies': 100, 'ecs.DescribeServices': 10 })).toBe(10);
  });

  it('rejects an API without a known rate', () => {
    expect(() => resyncBoundSeconds({ 'sqs.ReceiveMessage': 1 })).toThrow(/sqs/);
  });
});

describe('coldStartFloorSeconds', () => {
  it('is bound by RegisterTaskDefinition at 1/s after a burst of 20', () => {
    expect(coldStartFloorSeconds({ 'ecs.RegisterTaskDefinition': 1000, 'ecs.CreateService': 1000 })).toBe(980);
    expect(coldStartFloorSeconds({ 'ecs.RegisterTaskDefinition': 1000, 'ecs.CreateService': 1000 }, 20)).toBe(49);
  });

  it('counts an API bucket shared by its operations', () => {
    // One bucket of 20, then 10/s for the 60 left.
    expect(coldStartFloorSeconds({ 'autoscaling.RegisterScalableTarget': 40, 'autoscaling.PutScalingPolicy': 40 })).toBe(6);
  });
});

describe('sandboxThrottle', () => {
  it('mirrors the client limits as sandbox buckets, scaled', () => {
    const throttle = sandboxThrottle(2);
    expect(throttle['ecs.*']).toEqual({ burst: 50, refillPerSecond: 40 });
    expect(throttle['ecs.RegisterTaskDefinition']).toEqual({ burst: 20, refillPerSecond: 2 });
    expect(throttle['autoscaling.*']).toEqual({ burst: 20, refillPerSecond: 20 });
  });
});
