import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { AuditEntry } from '../../../src/audit/index.js';
import type { DesiredNotification, DesiredService, NotificationManifestInput } from '../../../src/manifest/index.js';
import { notificationManifestSchema } from '../../../src/manifest/index.js';
import { DeliveryQueue, Notifier } from '../../../src/notify/index.js';
import type { SendContext } from '../../../src/notify/index.js';
import { FakeTime } from '../controller/fake-time.js';

const ENTRY: AuditEntry = {
  time: '2026-01-01T10:00:00.000Z',
  key: 'prod/web',
  cluster: 'prod',
  service: 'web',
  revision: '9f1c2e7',
  action: 'rollout-aborted',
  outcome: 'applied',
  reason: 'analysis 9bc0-0-s2: Failed',
  to: '9bc0',
  requestedBy: 'controller',
  details: { durationSeconds: 42 },
};

function notification(name: string, spec: NotificationManifestInput['spec']): DesiredNotification {
  const manifest = notificationManifestSchema.parse({ apiVersion: 'ecs-reconciler/v1', kind: 'Notification', metadata: { name }, spec });
  return { name, manifest, source: { file: `${name}.yaml`, line: 1, col: 1 }, hash: name };
}

function service(labels: Record<string, string>): DesiredService {
  return { key: 'prod/web', cluster: 'prod', name: 'web', manifest: { metadata: { name: 'web', labels } } as DesiredService['manifest'], source: { file: 'web.yaml', line: 1, col: 1 }, hash: 'h' };
}

function setup(notifications: DesiredNotification[], options: { labels?: Record<string, string>; owns?: boolean; env?: Record<string, string> } = {}) {
  const posts: { url: string; body: unknown }[] = [];
  const counted: string[] = [];
  const failures: string[] = [];
  const fetchStub = (async (url: string, init: RequestInit) => {
    posts.push({ url, body: JSON.parse(String(init.body)) });
    return new Response('ok', { status: 200 });
  }) as unknown as typeof fetch;
  const sns = mockClient(SNSClient);
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  const queue = new DeliveryQueue({
    time: new FakeTime(),
    random: () => 0,
    metrics: { delivery: (target, outcome) => counted.push(`${target} ${outcome}`), depth: () => undefined },
    capacity: 10,
    maxAttempts: 2,
    backoff: { baseDelayMs: 1000, maxDelayMs: 1000, jitter: 0 },
    concurrency: 2,
    attemptTimeoutMs: 1000,
    onFailure: (_target, error) => failures.push((error as Error).message),
  });
  const context: SendContext = { fetch: fetchStub, sns: new SNSClient({ region: 'us-east-1' }), env: options.env ?? {} };
  const notifier = new Notifier({ notifications: () => notifications, service: () => service(options.labels ?? {}), owns: () => options.owns ?? true }, queue, context);
  return { notifier, queue, posts, counted, failures, sns };
}

describe('Notifier', () => {
  it('posts the decision as a JSON body naming the service and the event, for every event by default', async () => {
    const { notifier, queue, posts, counted } = setup([notification('hooks', { webhook: { url: 'http://127.0.0.1:9/hook' } })]);
    notifier.publish(ENTRY);
    await queue.whenIdle();
    expect(posts).toEqual([
      {
        url: 'http://127.0.0.1:9/hook',
        body: {
          event: 'rollout-aborted',
          service: 'prod/web',
          cluster: 'prod',
          name: 'web',
          outcome: 'applied',
          reason: 'analysis 9bc0-0-s2: Failed',
          to: '9bc0',
          requestedBy: 'controller',
          revision: '9f1c2e7',
          time: '2026-01-01T10:00:00.000Z',
          details: { durationSeconds: 42 },
          text: 'prod/web: rollout-aborted (applied): analysis 9bc0-0-s2: Failed',
          notification: 'hooks',
        },
      },
    ]);
    expect(counted).toEqual(['hooks/webhook delivered']);
  });

  it('Slack gets {text} from the template, the URL from the environment; SNS gets the JSON body', async () => {
    const slack = notification('chat', { slack: { urlFrom: { env: 'SLACK_HOOK' } }, sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:deploys' }, template: '{{service}} {{action}} by {{requestedBy}} ({{from}})' });
    const { notifier, queue, posts, sns } = setup([slack], { env: { SLACK_HOOK: 'http://127.0.0.1:9/slack' } });
    notifier.publish(ENTRY);
    await queue.whenIdle();
    expect(posts).toEqual([{ url: 'http://127.0.0.1:9/slack', body: { text: 'web rollout-aborted by controller (-)' } }]);
    const published = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(published).toMatchObject({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:deploys', Subject: 'web rollout-aborted by controller (-)' });
    expect(JSON.parse(published?.Message ?? '{}')).toMatchObject({ event: 'rollout-aborted', service: 'prod/web' });
  });

  it('a missing environment variable fails the delivery without naming a URL', async () => {
    const { notifier, queue, counted, failures } = setup([notification('chat', { slack: { urlFrom: { env: 'NOPE' } } })]);
    notifier.publish(ENTRY);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.depth).toBe(1); // waiting for its retry
    expect(counted[0]).toBe('chat/slack retried');
    expect(failures[0]).toBe('environment variable NOPE (the URL) is not set in the controller');
  });

  it('sends only the events asked for, to services whose labels match', async () => {
    const only = notification('aborts', { webhook: { url: 'http://127.0.0.1:9/a' }, events: ['rollout-aborted'], selector: { matchLabels: { team: 'payments' } } });
    const other = notification('steps', { webhook: { url: 'http://127.0.0.1:9/b' }, events: ['step'] });
    const matching = setup([only, other], { labels: { team: 'payments', tier: 'web' } });
    matching.notifier.publish(ENTRY);
    await matching.queue.whenIdle();
    expect(matching.posts.map((post) => post.url)).toEqual(['http://127.0.0.1:9/a']);
    const elsewhere = setup([only], { labels: { team: 'search' } });
    elsewhere.notifier.publish(ENTRY);
    await elsewhere.queue.whenIdle();
    expect(elsewhere.posts).toEqual([]);
  });

  it('sends nothing for a service this replica does not own (leader election: the shard leader alone sends)', async () => {
    const { notifier, queue, posts, counted } = setup([notification('hooks', { webhook: { url: 'http://127.0.0.1:9/hook' } })], { owns: false });
    notifier.publish(ENTRY);
    await queue.whenIdle();
    expect(posts).toEqual([]);
    expect(counted).toEqual([]);
  });
});
