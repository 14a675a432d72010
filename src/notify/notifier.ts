/**
 * From decisions to deliveries: each decision the controller keeps is matched against the Notification manifests in
 * force (events, label selector) and queued once per target. Only decisions about services this replica owns are
 * sent: under leader election a service's decisions are taken by the leader of its shard alone, and this check
 * keeps it that way should a decision ever be recorded elsewhere (no duplicates).
 */
import type { AuditEntry } from '../audit/index.js';
import type { DesiredNotification, DesiredService } from '../manifest/index.js';
import type { DeliveryQueue } from './queue.js';
import { notificationBody, targetsOf } from './targets.js';
import type { SendContext } from './targets.js';

export interface NotifierSources {
  /** The Notification manifests in force. */
  notifications(): Iterable<DesiredNotification>;
  /** The desired service, for its labels; undefined once it left the desired state (a prune). */
  service(key: string): DesiredService | undefined;
  /** Whether this replica owns the service (always true without leader election). */
  owns(key: string): boolean;
}

/** Whether the Notification wants this decision about this service. */
export function wants(notification: DesiredNotification, entry: AuditEntry, labels: Readonly<Record<string, string>>): boolean {
  const { events, selector } = notification.manifest.spec;
  if (events && !(events as readonly string[]).includes(entry.action)) return false;
  return Object.entries(selector?.matchLabels ?? {}).every(([label, value]) => labels[label] === value);
}

export class Notifier {
  constructor(
    private readonly sources: NotifierSources,
    private readonly queue: DeliveryQueue,
    private readonly context: SendContext,
  ) {}

  /** Queues the decision for every target that wants it; returns at once and never throws. */
  publish(entry: AuditEntry): void {
    if (!this.sources.owns(entry.key)) return;
    const labels = this.sources.service(entry.key)?.manifest.metadata.labels ?? {};
    for (const notification of this.sources.notifications()) {
      if (!wants(notification, entry, labels)) continue;
      const body = notificationBody(notification.name, notification.manifest.spec.template, entry);
      for (const target of targetsOf(notification.manifest)) {
        this.queue.enqueue({ target: `${notification.name}/${target.kind}`, send: (signal) => target.send(this.context, body, signal) });
      }
    }
  }
}
