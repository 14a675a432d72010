/**
 * The controller's notifications, wired: every decision the controller keeps goes to the Notifier, which queues it
 * for the targets of the Notification manifests in force. Delivery failures are logged without the URL.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClientOptions } from '../aws/index.js';
import type { Logger } from '../log/logger.js';
import type { ServiceKey } from '../manifest/index.js';
import type { ControllerMetrics } from '../metrics/metrics.js';
import { DEFAULT_DELIVERY, DeliveryQueue, Notifier, SecretCache, secretsManagerReader } from '../notify/index.js';
import type { Controller } from './controller.js';
import { systemTime } from './time.js';

export interface NotificationWiring {
  log: Logger;
  metrics: Pick<ControllerMetrics, 'notifications'>;
  controller: Pick<Controller, 'decisions' | 'notifications' | 'desiredService'>;
  aws: Pick<AwsClientOptions, 'endpoint' | 'region' | 'clientConfig'>;
  /** Leader election: only the owner of a service's shard sends its decisions. */
  ownership?: { owns(key: ServiceKey): boolean } | undefined;
}

export function startNotifications({ log, metrics, controller, aws, ownership }: NotificationWiring): { stop(): void } {
  const config = { ...aws.clientConfig, ...(aws.region ? { region: aws.region } : {}), ...(aws.endpoint ? { endpoint: aws.endpoint } : {}) };
  const sns = new SNSClient(config);
  const secretsManager = new SecretsManagerClient(config);
  const queue = new DeliveryQueue({
    ...DEFAULT_DELIVERY,
    time: systemTime,
    random: Math.random,
    metrics: metrics.notifications,
    onFailure: (target, error, final) =>
      log.warn(
        { event: 'notification', target, error: error instanceof Error ? error.message : String(error), final },
        final ? `notification to ${target} failed; giving up` : `notification to ${target} failed; retrying with backoff`,
      ),
  });
  const notifier = new Notifier(
    { notifications: () => controller.notifications(), service: (key) => controller.desiredService(key), owns: (key) => ownership?.owns(key) ?? true },
    queue,
    { fetch: globalThis.fetch, sns, env: process.env, secrets: new SecretCache(secretsManagerReader(secretsManager), systemTime) },
  );
  controller.decisions.subscribe((entry) => notifier.publish(entry));
  return {
    stop() {
      queue.stop();
      sns.destroy();
      secretsManager.destroy();
    },
  };
}
