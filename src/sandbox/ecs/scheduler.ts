import type { EcsContext } from './context.js';
import { TimerHeap } from './heap.js';
import { reconcileService } from './rollout.js';
import { advanceTask } from './tasks.js';

/** Guards against a service that keeps re-marking itself within one instant. */
const MAX_PASSES_PER_INSTANT = 5;

/**
 * Drives ECS through simulated time. Work is proportional to change: task wake-ups sit in a timer heap and only
 * services marked dirty are reconciled. A clock jump is replayed event by event, in time order.
 */
export class EcsScheduler {
  private readonly timers = new TimerHeap<string>();
  private readonly dirty = new Set<string>();
  private cursor: number;

  constructor(
    private readonly ecs: () => EcsContext,
    start: number,
  ) {
    this.cursor = start;
  }

  now(): number {
    return this.cursor;
  }

  touch(serviceArn: string): void {
    this.dirty.add(serviceArn);
  }

  /** A task's lifecycle step, or a service's next pass (a bake time or hook ending), due at `at`. */
  wake(arn: string, at: number): void {
    this.timers.push(at, arn);
  }

  /** Requests are handled at `now`: everything due before it happens first. */
  tick(now: number): void {
    const ecs = this.ecs();
    this.reconcileDirty(ecs);
    for (let at = this.timers.peekAt(); at !== undefined && at <= now; at = this.timers.peekAt()) {
      this.cursor = Math.max(this.cursor, at);
      const arn = this.timers.popDue(at)!;
      const task = ecs.store.tasks.get(arn);
      if (task) advanceTask(ecs, task, this.cursor);
      else if (ecs.store.servicesByArn.has(arn)) this.dirty.add(arn);
      this.reconcileDirty(ecs);
    }
    this.cursor = Math.max(this.cursor, now);
    this.reconcileDirty(ecs);
  }

  private reconcileDirty(ecs: EcsContext): void {
    for (let pass = 0; pass < MAX_PASSES_PER_INSTANT && this.dirty.size > 0; pass++) {
      const batch = [...this.dirty];
      this.dirty.clear();
      for (const arn of batch) {
        const service = ecs.store.servicesByArn.get(arn);
        if (service) reconcileService(ecs, service);
      }
    }
  }
}
