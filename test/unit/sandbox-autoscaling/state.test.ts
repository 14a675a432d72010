import { describe, expect, it } from 'vitest';
import { autoscalingHandlers } from '../../../src/sandbox/autoscaling/handlers.js';
import { AutoscalingState } from '../../../src/sandbox/autoscaling/state.js';
import { ManualClock } from '../../../src/sandbox/core/clock.js';
import type { EcsView } from '../../../src/sandbox/world.js';
import { FakeEcs } from '../sandbox-elbv2/fake-ecs.js';

const web = { ServiceNamespace: 'ecs', ResourceId: 'service/prod/web', ScalableDimension: 'ecs:service:DesiredCount' };
const ctx = { requestId: 'r', service: 'autoscaling', operation: 'x', now: 0, region: 'us-east-1', accountId: '123456789012' };

function fixture(ecs: EcsView) {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const state = new AutoscalingState({ region: 'us-east-1', accountId: '123456789012', clock, ecs: () => ecs });
  const api = autoscalingHandlers(state);
  return {
    clock,
    state,
    call: (operation: string, input: Record<string, unknown>) => api[operation]!(input, ctx),
    advance(seconds: number) {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1000);
        state.tick(clock.now());
      }
    },
  };
}

describe('Application Auto Scaling capacity', () => {
  it('clamps the desired count into [min, max] on registration and when a scheduled action fires', () => {
    const ecs = new FakeEcs();
    ecs.addService('prod', 'web', { desiredCount: 12 });
    const f = fixture(ecs);
    f.call('RegisterScalableTarget', { ...web, MinCapacity: 2, MaxCapacity: 10 });
    expect(ecs.services.get('prod/web')!.desiredCount).toBe(10);
    f.call('PutScheduledAction', { ...web, ScheduledActionName: 'night', Schedule: 'cron(30 0 * * ? *)', ScalableTargetAction: { MaxCapacity: 4 } });
    f.advance(29 * 60);
    expect(ecs.services.get('prod/web')!.desiredCount).toBe(10);
    f.advance(60);
    expect(ecs.services.get('prod/web')!.desiredCount).toBe(4);
  });

  it('clamps from the desired count, never the lagging running count', () => {
    const ecs = new FakeEcs();
    ecs.addService('prod', 'web', { desiredCount: 5, runningCount: 0 });
    fixture(ecs).call('RegisterScalableTarget', { ...web, MinCapacity: 2, MaxCapacity: 10 });
    expect(ecs.services.get('prod/web')!.desiredCount).toBe(5);
  });

  it('scales out by target tracking only when simulated, after the cooldown, within the bounds', () => {
    const ecs = new FakeEcs();
    ecs.addService('prod', 'web', { desiredCount: 2, runningCount: 2, cpu: 90 });
    const f = fixture(ecs);
    f.state.simulateTargetTracking = true;
    f.call('RegisterScalableTarget', { ...web, MinCapacity: 1, MaxCapacity: 3 });
    f.call('PutScalingPolicy', {
      ...web,
      PolicyName: 'cpu',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 45, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, ScaleOutCooldown: 300 },
    });
    f.advance(59);
    expect(ecs.services.get('prod/web')!.desiredCount).toBe(2);
    f.advance(1);
    // ceil(2 * 90 / 45) = 4, capped at MaxCapacity 3.
    expect(ecs.services.get('prod/web')!.desiredCount).toBe(3);
  });
});
