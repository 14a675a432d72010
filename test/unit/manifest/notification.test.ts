import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadDesiredState } from '../../../src/manifest/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-notification-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const header = (name: string) => `apiVersion: ecs-reconciler/v1\nkind: Notification\nmetadata:\n  name: ${name}\nspec:\n`;

async function load(text: string) {
  await writeFile(path.join(dir, 'notify.yaml'), text);
  const snapshot = await loadDesiredState(dir);
  return { snapshot, lines: snapshot.diagnostics.map(formatDiagnostic) };
}

describe('kind: Notification', () => {
  it('loads a valid one: webhook from the environment, slack, sns, events, selector, template', async () => {
    const { snapshot, lines } = await load(
      `${header('deploys')}  events: [rollout-aborted, hold-started]\n  selector: {matchLabels: {team: payments}}\n  template: "{{key}} {{action}}"\n  webhook: {urlFrom: {env: DEPLOY_HOOK}}\n  slack: {url: "http://127.0.0.1:8080/slack"}\n  sns: {topicArn: "arn:aws:sns:us-east-1:123456789012:deploys"}\n`,
    );
    expect(lines).toEqual([]);
    expect(snapshot.notifications.get('deploys')?.manifest.spec).toMatchObject({ events: ['rollout-aborted', 'hold-started'], webhook: { urlFrom: { env: 'DEPLOY_HOOK' } } });
    expect(snapshot.files.get('notify.yaml')).toMatchObject({ ok: true, notifications: ['deploys'] });
  });

  it('warns on a plaintext https URL (a secret in git) and on plain http beyond loopback, at the line of the URL', async () => {
    const { snapshot, lines } = await load(`${header('chat')}  slack:\n    url: "https://hooks.slack.com/services/T0/B0/secret"\n  webhook:\n    url: "http://hooks.example.com/x"\n`);
    expect(lines).toEqual([
      expect.stringMatching(/^notify\.yaml:7:5: warning: spec\.slack\.url: the slack URL is a secret, and here it is in git in plaintext/),
      expect.stringMatching(/^notify\.yaml:9:5: warning: spec\.webhook\.url: the webhook URL is plain http: decisions would travel unencrypted/),
    ]);
    expect(snapshot.diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ['warning', 'plaintext-secret'],
      ['warning', 'unencrypted-url'],
    ]);
    expect(snapshot.notifications.has('chat')).toBe(true);
  });

  it('fails with file:line on an unknown event (with a hint), an unknown placeholder, no target, and url with urlFrom', async () => {
    const { snapshot, lines } = await load(
      `${header('bad')}  events: [rollout-abort]\n  sns: {topicArn: "arn:aws:sns:us-east-1:123456789012:a"}\n---\n${header('empty')}  events: [create]\n---\n${header('both')}  webhook: {url: "http://127.0.0.1:1/x", urlFrom: {env: X}}\n---\n${header('typo')}  template: "{{servce}} did {{action}}"\n  sns: {topicArn: "arn:aws:sns:us-east-1:123456789012:a"}\n`,
    );
    expect(lines).toEqual([
      expect.stringMatching(/^notify\.yaml:6:12: spec\.events\[0\]: Invalid option: expected one of .*\(did you mean "rollout-aborted"\?\)$/),
      expect.stringMatching(/^notify\.yaml:13:1: spec: a Notification needs a target: webhook, slack or sns$/),
      expect.stringMatching(/^notify\.yaml:21:3: spec\.webhook: give exactly one of url or urlFrom$/),
      expect.stringMatching(/^notify\.yaml:28:3: spec\.template: unknown placeholder \{\{servce\}\} \(did you mean "service"\?\)$/),
    ]);
    expect(snapshot.notifications.size).toBe(0);
    expect(snapshot.files.get('notify.yaml')).toMatchObject({ ok: false, notifications: ['bad', 'empty', 'both', 'typo'] });
  });

  it('takes a Secrets Manager reference, and exactly one source per urlFrom', async () => {
    const good = await load(`${header('sm')}  slack: {urlFrom: {secretsManager: {secretId: notifications/chat, jsonKey: slack}}}\n`);
    expect(good.lines).toEqual([]);
    expect(good.snapshot.notifications.get('sm')?.manifest.spec.slack?.urlFrom).toEqual({ secretsManager: { secretId: 'notifications/chat', jsonKey: 'slack' } });
    const both = await load(`${header('both')}  slack:\n    urlFrom: {env: CHAT, secretsManager: {secretId: chat}}\n`);
    expect(both.lines).toEqual(['notify.yaml:7:5: spec.slack.urlFrom: give exactly one of env or secretsManager']);
  });

  it('refuses two Notifications with the same name', async () => {
    const { lines } = await load(`${header('twice')}  sns: {topicArn: "arn:aws:sns:us-east-1:123456789012:a"}\n---\n${header('twice')}  sns: {topicArn: "arn:aws:sns:us-east-1:123456789012:b"}\n`);
    expect(lines).toEqual([
      expect.stringMatching(/^notify\.yaml:4:3: metadata\.name: Notification twice is defined twice: at notify\.yaml:4 and at notify\.yaml:11 \(none of them is applied/),
      expect.stringMatching(/^notify\.yaml:11:3: metadata\.name: Notification twice is defined twice: at notify\.yaml:4 and at notify\.yaml:11 \(none of them is applied/),
    ]);
  });
});
