/**
 * What a Notification sends, and how: the decision as a JSON body (webhook), as Slack's `{text}` (incoming
 * webhook), or as an SNS message. URLs are read when a delivery is attempted, from the manifest or the controller's
 * environment, so a rotated secret applies to the next attempt and a URL is never kept in memory or logged.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AuditEntry } from '../audit/index.js';
import type { NotificationManifest } from '../manifest/index.js';
import { urlInSecret } from './secrets.js';
import type { SecretCache } from './secrets.js';
import { DEFAULT_TEMPLATE, renderTemplate } from './template.js';

export type TargetKind = 'webhook' | 'slack' | 'sns';

/** The JSON body of a webhook and the SNS message: the decision, its text, and who sent it. */
export interface NotificationBody {
  /** The decision's action, e.g. `rollout-aborted`. */
  event: string;
  /** `cluster/name`. */
  service: string;
  cluster: string;
  name: string;
  outcome: string;
  reason: string;
  from?: string | number;
  to?: string | number;
  requestedBy?: string;
  revision?: string;
  time: string;
  details?: Record<string, unknown>;
  /** The manifest's template, filled. */
  text: string;
  /** The Notification manifest that asked for it. */
  notification: string;
}

export function notificationBody(notification: string, template: string | undefined, entry: AuditEntry): NotificationBody {
  const text = renderTemplate(template ?? DEFAULT_TEMPLATE, {
    key: entry.key,
    cluster: entry.cluster,
    service: entry.service,
    action: entry.action,
    outcome: entry.outcome,
    reason: entry.reason,
    ...(entry.from !== undefined ? { from: entry.from } : {}),
    ...(entry.to !== undefined ? { to: entry.to } : {}),
    ...(entry.requestedBy !== undefined ? { requestedBy: entry.requestedBy } : {}),
    ...(entry.revision !== undefined ? { revision: entry.revision } : {}),
    time: entry.time,
  });
  return {
    event: entry.action,
    service: entry.key,
    cluster: entry.cluster,
    name: entry.service,
    outcome: entry.outcome,
    reason: entry.reason,
    ...(entry.from !== undefined ? { from: entry.from } : {}),
    ...(entry.to !== undefined ? { to: entry.to } : {}),
    ...(entry.requestedBy !== undefined ? { requestedBy: entry.requestedBy } : {}),
    ...(entry.revision !== undefined ? { revision: entry.revision } : {}),
    time: entry.time,
    ...(entry.details ? { details: entry.details } : {}),
    text,
    notification,
  };
}

export interface SendContext {
  fetch: typeof fetch;
  /** Absent: an SNS target fails every attempt, saying so. */
  sns?: Pick<SNSClient, 'send'>;
  env: Readonly<Record<string, string | undefined>>;
  /** Reads `urlFrom.secretsManager` secrets; absent: such a target fails every attempt, saying so. */
  secrets?: Pick<SecretCache, 'get'>;
}

type UrlTarget = NonNullable<NotificationManifest['spec']['webhook']>;

/** The URL, from the manifest, the environment variable or the secret it names. Errors never contain the URL. */
async function resolveUrl(target: UrlTarget, context: SendContext, signal: AbortSignal): Promise<string> {
  if (target.url !== undefined) return target.url;
  const secret = target.urlFrom?.secretsManager;
  if (secret) {
    if (!context.secrets) throw new Error('no Secrets Manager client');
    return urlInSecret(secret.secretId, await context.secrets.get(secret.secretId, signal), secret.jsonKey);
  }
  const name = target.urlFrom?.env ?? '';
  const value = context.env[name];
  if (!value) throw new Error(`environment variable ${name} (the URL) is not set in the controller`);
  return value;
}

async function post(context: SendContext, target: UrlTarget, body: unknown, signal: AbortSignal): Promise<void> {
  const response = await context.fetch(await resolveUrl(target, context, signal), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'ecs-reconciler' },
    body: JSON.stringify(body),
    signal,
    redirect: 'error',
  });
  // The body is drained so the connection can be reused; its text may echo the URL's secret, so it is not reported.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`the endpoint answered HTTP ${response.status}`);
}

/** SNS subjects are ASCII, at most 100 characters. */
function subjectOf(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}

/** The targets a Notification manifest names, each as a function that sends one body once. */
export function targetsOf(manifest: NotificationManifest): { kind: TargetKind; send(context: SendContext, body: NotificationBody, signal: AbortSignal): Promise<void> }[] {
  const { webhook, slack, sns } = manifest.spec;
  const targets: ReturnType<typeof targetsOf> = [];
  if (webhook) targets.push({ kind: 'webhook', send: (context, body, signal) => post(context, webhook, body, signal) });
  if (slack) targets.push({ kind: 'slack', send: (context, body, signal) => post(context, slack, { text: body.text }, signal) });
  if (sns) {
    targets.push({
      kind: 'sns',
      async send(context, body, signal) {
        if (!context.sns) throw new Error('no SNS client');
        await context.sns.send(new PublishCommand({ TopicArn: sns.topicArn, Subject: subjectOf(body.text), Message: JSON.stringify(body) }), { abortSignal: signal });
      },
    });
  }
  return targets;
}
