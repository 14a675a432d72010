/**
 * Notifications end to end: the controller process reads Notification manifests from the desired-state folder and
 * sends its decisions to a loopback webhook (JSON; its URL in a Secrets Manager secret of the sandbox), a
 * Slack-format endpoint that never answers (it must block nothing; its URL in an environment variable) and an SNS
 * topic in the sandbox; a target that fails once is retried.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClientConfig, startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DEMO_SEED } from './apply-harness.js';
import { pollFor, sampleValue, serviceManifest, startRun, tempDir, writeFiles } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';

interface Received {
  path: string;
  body: Record<string, unknown>;
}

let sandbox: RunningSandbox;
let hooks: Server;
let hookUrl: string;
let controller: ControllerProcess | undefined;
let dir: string;
let topicArn: string;
const received: Received[] = [];
const hanging: ServerResponse[] = [];
let webhookCalls = 0;

function labelled(name: string, team: string): string {
  return serviceManifest(name).replace(`metadata:\n  name: ${name}\n`, `metadata:\n  name: ${name}\n  labels: {team: ${team}}\n`);
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: DEMO_SEED });
  const sns = new SNSClient(sandboxClientConfig(sandbox.endpoint));
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'deploys' }))).TopicArn ?? '';
  sns.destroy();
  hooks = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const path = request.url ?? '';
      if (path === '/slack') {
        hanging.push(response); // never answered: the controller must not wait for it
        return;
      }
      webhookCalls++;
      if (webhookCalls === 1) {
        response.writeHead(503).end();
        return;
      }
      received.push({ path, body: JSON.parse(text) as Record<string, unknown> });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  const secretsManager = new SecretsManagerClient(sandboxClientConfig(sandbox.endpoint));
  await secretsManager.send(new CreateSecretCommand({ Name: 'notifications/payments', SecretString: JSON.stringify({ webhook: `${hookUrl}/hook` }) }));
  secretsManager.destroy();
  dir = await tempDir('notify');
  process.env.ECS_RECONCILER_E2E_SLACK_URL = `${hookUrl}/slack`;
  await writeFiles(dir, {
    'payments.yaml': labelled('payments', 'payments'),
    'search.yaml': labelled('search', 'search'),
    'notifications.yaml': `apiVersion: ecs-reconciler/v1
kind: Notification
metadata:
  name: payments-hook
spec:
  selector: {matchLabels: {team: payments}}
  webhook: {urlFrom: {secretsManager: {secretId: notifications/payments, jsonKey: webhook}}}
---
apiVersion: ecs-reconciler/v1
kind: Notification
metadata:
  name: chat
spec:
  events: [create]
  template: "{{key}} {{action}} by {{requestedBy}}"
  slack: {urlFrom: {env: ECS_RECONCILER_E2E_SLACK_URL}}
  sns: {topicArn: ${topicArn}}
`,
  });
  controller = await startRun(dir, sandbox.endpoint);
}, 60_000);

afterAll(async () => {
  await controller?.stop('SIGKILL');
  for (const response of hanging) response.destroy();
  hooks.closeAllConnections();
  await new Promise((resolve) => hooks.close(resolve));
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
  delete process.env.ECS_RECONCILER_E2E_SLACK_URL;
});

describe('notifications from the controller process', () => {
  it('posts the create decision of the selected service to the webhook as JSON, after retrying a 503', async () => {
    const created = await pollFor(async () => received.find((entry) => entry.body.event === 'create'), 30_000);
    expect(created).toMatchObject({
      path: '/hook',
      body: { event: 'create', service: 'demo/payments', cluster: 'demo', name: 'payments', outcome: 'applied', requestedBy: expect.stringMatching(/^git:/), notification: 'payments-hook' },
    });
    expect((created?.body.details as { fields?: unknown[] }).fields).toEqual(expect.any(Array));
    const metrics = await controller?.metrics() ?? '';
    expect(sampleValue(metrics, 'ecs_reconciler_notification_deliveries_total', { target: 'payments-hook/webhook', outcome: 'retried' })).toBe(1);
    expect(sampleValue(metrics, 'ecs_reconciler_notification_deliveries_total', { target: 'payments-hook/webhook', outcome: 'delivered' })).toBeGreaterThanOrEqual(1);
    // The selector: search's decisions never reach this webhook.
    expect(received.filter((entry) => entry.body.service === 'demo/search')).toEqual([]);
  }, 60_000);

  it('a target that never answers blocks no reconcile: both services are Synced while it hangs', async () => {
    const synced = await pollFor(async () => {
      const services = (await controller?.status())?.services ?? [];
      return services.length === 2 && services.every((service) => service.syncStatus === 'Synced') ? services : undefined;
    }, 30_000);
    expect(synced?.map((service) => service.key)).toEqual(['demo/payments', 'demo/search']);
    expect(hanging.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('publishes the create decisions to the SNS topic, with the template as the subject', async () => {
    const messages = await pollFor(async () => {
      const state = (await (await fetch(`${sandbox.endpoint}/_sandbox/state`)).json()) as { sns: { topics: Record<string, { subject?: string; message: string }[]> } };
      const published = state.sns.topics[topicArn] ?? [];
      return published.length >= 2 ? published : undefined;
    }, 30_000);
    expect(messages?.map((message) => message.subject).sort()).toEqual([expect.stringMatching(/^demo\/payments create by git:/), expect.stringMatching(/^demo\/search create by git:/)]);
    expect(JSON.parse(messages?.[0]?.message ?? '{}')).toMatchObject({ event: 'create', notification: 'chat' });
  }, 60_000);
});
