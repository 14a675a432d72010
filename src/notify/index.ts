/**
 * Notifications: decisions sent to webhooks, Slack and SNS as the Notification manifests ask, through a bounded
 * queue with retries (see docs/observability.md "Notifications"). Import from here.
 */
export { DeliveryQueue, DEFAULT_DELIVERY, DELIVERY_OUTCOMES } from './queue.js';
export type { Delivery, DeliveryOutcome, DeliveryQueueOptions, NotificationMetrics } from './queue.js';
export { Notifier } from './notifier.js';
export type { NotifierSources } from './notifier.js';
export type { NotificationBody, SendContext } from './targets.js';
export { SecretCache, secretsManagerReader } from './secrets.js';
