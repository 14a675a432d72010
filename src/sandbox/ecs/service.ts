import type { SandboxServiceFactory } from '../core/service.js';
import { clusterHandlers } from './clusters.js';
import type { EcsContext } from './context.js';
import { EcsScheduler } from './scheduler.js';
import { applyEcsSeed, parseEcsSeed } from './seed.js';
import { serviceDeploymentHandlers } from './service-deployments-api.js';
import { serviceHandlers } from './services-api.js';
import { EcsStore } from './store.js';
import { taggingHandlers } from './tagging.js';
import { taskDefinitionHandlers } from './task-definitions.js';
import { taskSetHandlers } from './task-sets.js';
import { taskHandlers } from './tasks.js';
import { timingsSchema } from './timings.js';
import { ecsView } from './view.js';

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';

/** The simulated Amazon ECS: clusters, task definitions, services with deployments or task sets, tasks, tags. */
export const ecsService: SandboxServiceFactory = (ctx) => {
  const store = new EcsStore();
  const scheduler: EcsScheduler = new EcsScheduler(() => ecs, ctx.clock.now());
  const ecs: EcsContext = {
    scope: { region: ctx.region, accountId: ctx.accountId },
    store,
    views: ctx.views,
    behaviours: ctx.behaviours,
    timings: timingsSchema.parse({}),
    now: () => scheduler.now(),
    hiddenByConsistency: ctx.hiddenByConsistency,
    touch: (arn) => scheduler.touch(arn),
    wake: (arn, at) => scheduler.wake(arn, at),
  };
  ctx.views.ecs = ecsView(ecs);
  ctx.api.registerJsonService({
    name: 'ecs',
    targetPrefix: ECS_TARGET_PREFIX,
    handlers: {
      ...clusterHandlers(ecs),
      ...taskDefinitionHandlers(ecs),
      ...serviceHandlers(ecs),
      ...serviceDeploymentHandlers(ecs),
      ...taskSetHandlers(ecs),
      ...taskHandlers(ecs),
      ...taggingHandlers(ecs),
    },
  });
  return {
    name: 'ecs',
    tick: (now) => scheduler.tick(now),
    applySeed: (section) => {
      applyEcsSeed(ecs, parseEcsSeed(section), (timings) => {
        ecs.timings = timings;
      });
    },
    state: () => ({
      timings: ecs.timings,
      clusters: [...store.clusters.values()],
      taskDefinitions: [...store.taskDefinitionsByArn.values()],
      services: [...store.servicesByArn.values()],
      tasks: [...store.tasks.values()],
    }),
  };
};
