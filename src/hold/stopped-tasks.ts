/**
 * The I/O half of the failed-revision hold: the service's recently stopped tasks that failed (DescribeTasks), with
 * why, e.g. `CannotPullContainerError: ...`. ECS shows a failed deployment only until it has drained (a rollback can
 * finish before the controller looks again), but its failed tasks stay described for about an hour: they tell the
 * planner which revision failed, and the Degraded reason what to fix.
 */
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import { describeTaskDefinitions } from '../observe/ecs.js';
import type { TaskDefinitionCache } from '../observe/cache.js';
import type { ObservedFailedTask, ObservedService, ObservedState } from '../observe/types.js';

/** Stopped tasks described: one ListTasks page and one DescribeTasks call (both take at most 100). */
export const SAMPLED_TASKS = 100;

/** Stopped by the scheduler (replaced, scaled in) or a person: says nothing about a failure. */
const NOT_FAILURES = new Set(['ServiceSchedulerInitiated', 'UserInitiated']);

export async function recentFailedTasks(ecs: ECSClient, service: ObservedService): Promise<ObservedFailedTask[]> {
  const cluster = service.clusterArn || service.clusterName;
  const listed = await ecs.send(new ListTasksCommand({ cluster, serviceName: service.serviceName, desiredStatus: 'STOPPED', maxResults: SAMPLED_TASKS }));
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
  return (described.tasks ?? []).flatMap((task) => {
    const reason = reasonOf(task);
    return task.taskDefinitionArn && reason && !NOT_FAILURES.has(task.stopCode ?? '') ? [{ taskDefinitionArn: task.taskDefinitionArn, reason }] : [];
  });
}

/**
 * Adds the service's recently failed tasks, and the task definitions they ran, to the observation, for the planner
 * to judge. Returns whether there were any (best effort: a failed read adds nothing).
 */
export async function observeFailedTasks(ecs: ECSClient, cache: TaskDefinitionCache, state: ObservedState, service: ObservedService): Promise<boolean> {
  const tasks = await recentFailedTasks(ecs, service).catch(() => []);
  if (tasks.length === 0) return false;
  service.failedTasks = tasks;
  Object.assign(state.taskDefinitions, await describeTaskDefinitions(ecs, tasks.map((task) => task.taskDefinitionArn), cache).catch(() => ({})));
  return true;
}

/** The distinct reasons, most common first. */
export function distinctReasons(tasks: readonly ObservedFailedTask[]): string[] {
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.reason, (counts.get(task.reason) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([reason]) => reason);
}

/** The distinct stopped reasons of the service's recently failed tasks, most common first. */
export async function stoppedTaskReasons(ecs: ECSClient, service: ObservedService): Promise<string[]> {
  return distinctReasons(await recentFailedTasks(ecs, service));
}

function reasonOf(task: Task): string | undefined {
  if (task.stoppedReason?.includes('Error')) return task.stoppedReason;
  const container = task.containers?.find((candidate) => candidate.reason !== undefined && candidate.reason !== '');
  if (container?.reason) return `${container.name ?? 'container'}: ${container.reason}`;
  const exited = task.containers?.find((candidate) => candidate.exitCode !== undefined && candidate.exitCode !== 0);
  if (exited) return `${task.stoppedReason ?? 'stopped'} (${exited.name ?? 'container'} exit code ${exited.exitCode})`;
  return task.stoppedReason;
}
