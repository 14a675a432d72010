/** The long-running controller and its building blocks. See docs/controller.md. */
export { Controller, DEFAULT_RESYNC_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS, DEFAULT_WORKERS } from './controller.js';
export type { ControllerOptions } from './controller.js';
export { DEFAULT_LISTEN, startController } from './runtime.js';
export { AwsReadHealth, DEFAULT_AWS_UNREACHABLE_AFTER_MS } from './aws-reads.js';
export type { RunningController, RuntimeOptions } from './runtime.js';
export { awsCallObserver, awsControllerIo, withCallLogger } from './io.js';
export type { AwsControllerIoOptions, ControllerIo } from './io.js';
export { DesiredStateStore } from './desired-state-store.js';
export type { DesiredStateUpdate } from './desired-state-store.js';
export { WorkQueue } from './workqueue.js';
export type { WorkQueueMetrics, WorkQueueOptions } from './workqueue.js';
export { runWorkers } from './workers.js';
export type { HandlerResult, KeyHandler, WorkersExit } from './workers.js';
export type * from './status.js';
export { ANALYSIS_STATUSES, HEALTH_STATUSES, ROLLOUT_STRATEGIES, SYNC_STATUSES } from './status.js';
