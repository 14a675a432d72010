import type { BehaviourBook } from '../core/behaviours.js';
import type { SandboxViews } from '../world.js';
import type { ArnScope } from './arns.js';
import type { EcsStore } from './store.js';
import type { EcsTimings } from './timings.js';

/** What every ECS module shares. */
export interface EcsContext {
  scope: ArnScope;
  store: EcsStore;
  views: SandboxViews;
  behaviours: BehaviourBook;
  timings: EcsTimings;
  /**
   * The simulated moment being processed: the request's time, or, while the scheduler replays a clock jump,
   * the time of the event at hand, so a long jump plays out exactly as if time had passed in small steps.
   */
  now(): number;
  hiddenByConsistency(createdAt: number): boolean;
  /** Marks a service for the scheduler's next pass (its tasks or desired state changed). */
  touch(serviceArn: string): void;
  /** Asks for the task's lifecycle to be advanced, or the service reconciled, at simulated time `at`. */
  wake(taskOrServiceArn: string, at: number): void;
}
