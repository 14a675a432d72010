import type { EcsView } from '../world.js';
import { nameFromArnOrName } from './arns.js';
import type { EcsContext } from './context.js';
import type { ServiceRecord } from './model.js';
import { isRunning } from './rollout.js';
import { behaviourOf, targetProcess } from './tasks.js';

function lookup(ecs: EcsContext, cluster: string, service: string): ServiceRecord | undefined {
  return ecs.store.services.get(nameFromArnOrName(cluster))?.get(nameFromArnOrName(service));
}

/** What the other simulated services may see of ECS (world.ts). */
export function ecsView(ecs: EcsContext): EcsView {
  return {
    targetProcess: (ip, port) => targetProcess(ecs, ip, port),
    serviceExists: (cluster, service) => {
      const record = lookup(ecs, cluster, service);
      return record !== undefined && record.status !== 'INACTIVE';
    },
    setServiceDesiredCount: (cluster, service, desiredCount) => {
      const record = lookup(ecs, cluster, service);
      if (!record || record.status !== 'ACTIVE') return;
      record.desiredCount = Math.max(0, Math.floor(desiredCount));
      record.steadyReported = false;
      ecs.touch(record.arn);
    },
    serviceDesiredCount: (cluster, service) => {
      const record = lookup(ecs, cluster, service);
      return record?.status === 'ACTIVE' ? record.desiredCount : undefined;
    },
    serviceUtilization: (cluster, service) => {
      const record = lookup(ecs, cluster, service);
      if (!record) return undefined;
      const running = ecs.store.liveTasks(record).filter(isRunning);
      if (running.length === 0) return { runningCount: 0, cpu: 0, memory: 0 };
      const behaviours = running.map((task) => behaviourOf(ecs, task));
      const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
      return { runningCount: running.length, cpu: mean(behaviours.map((b) => b.cpuPercent)), memory: mean(behaviours.map((b) => b.memoryPercent)) };
    },
  };
}
