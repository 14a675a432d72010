export { describeFailedRevision, detectFailure, failedRevisionOf, failedRolloutOf, failureTagValue, isHeld, judgeHold, needsFailedTasks, readFailureTag } from './hold.js';
export type { FailedRevision, Hold, HoldInput } from './hold.js';
export { decodeFailure, encodeFailure, FAILURE_KINDS, FAILURE_TAG, tagSafe } from './record.js';
export type { FailureKind, FailureRecord } from './record.js';
export { distinctReasons, observeFailedTasks, recentFailedTasks, stoppedTaskReasons } from './stopped-tasks.js';
