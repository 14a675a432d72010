/**
 * Forged and replayed rollout state (issue 15, item 4), end to end against the sandbox: anyone allowed to call
 * ecs:TagResource rewrites the records the controller keeps in service tags, through the AWS SDK as an attacker
 * would. A record that fails verification is never obeyed: the canary stays where AWS shows it, past no pause.
 */
import { TagResourceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signRecord } from '../../src/integrity/index.js';
import { ROLLOUT_TAG } from '../../src/rollout/index.js';
import { encodeRecord } from '../../src/rollout/state-tags.js';
import type { RolloutRecord } from '../../src/rollout/types.js';
import { runCli } from './apply-harness.js';
import { activeService } from './controller-harness.js';
import { CANARY, serviceManifest, startOnFirstVersion, type Pass, type RolloutHarness } from './rollout-harness.js';
import { TEST_RECORD_KEY } from '../support/record-key.js';

// The canary: it sat at 20 % and jumped to 100 %, past a setWeight 60 and an indefinite pause.
const STEPS = `        - setWeight: 20
        - pause: {}
        - setWeight: 60
        - pause: {}
        - setWeight: 100
`;

let h: RolloutHarness;
let serviceArn: string;

beforeEach(async () => {
  h = await startOnFirstVersion(CANARY(STEPS, '', 86_400));
  serviceArn = (await activeService(h.clients.ecs, 'web', 'shop'))?.serviceArn ?? '';
  await h.write(serviceManifest('2.0.0', CANARY(STEPS, '', 86_400)));
});

afterEach(async () => {
  await h.stop();
});

const waitingForPromote = (pass: Pass) => pass.rollout?.status?.subPhase === 'WaitingForPromote' && pass.rollout.actions.length === 0;

/** What an attacker with ecs:TagResource does: writes a value of their choosing into the rollout tag. */
async function writeRolloutTag(value: string): Promise<void> {
  await h.clients.ecs.send(new TagResourceCommand({ resourceArn: serviceArn, tags: [{ key: ROLLOUT_TAG, value }] }));
}

/** An hour of passes: the forged record has every chance to move traffic. */
async function hourOfPasses(): Promise<Pass[]> {
  const passes: Pass[] = [];
  for (let i = 0; i < 12; i++) {
    passes.push(await h.pass());
    h.advance(5 * 60_000);
  }
  return passes;
}

function promoting(record: RolloutRecord): RolloutRecord {
  return { ...record, stage: 'promoting', step: 0 };
}

describe('a forged rollout record', () => {
  it('rewritten to promoting (unsigned) does not move the canary past its pause: it holds at 20 %, says so, and abort still works', async () => {
    const paused = await h.runUntil(waitingForPromote);
    expect(await h.weights()).toEqual({ 'shop-blue': 80, 'shop-green': 20 });
    const writesBefore = (await h.calls()).filter((call) => call.mutating).length;

    await writeRolloutTag(encodeRecord(promoting(paused.rollout!.record!)));
    const passes = await hourOfPasses();

    expect(await h.weights()).toEqual({ 'shop-blue': 80, 'shop-green': 20 });
    // The forging TagResource is the only write: the controller changed nothing, not even the tag.
    expect((await h.calls()).filter((call) => call.mutating).length).toBe(writesBefore + 1);
    for (const pass of passes) {
      expect(pass.rollout?.status).toMatchObject({ phase: 'Paused', subPhase: 'StateTampered', canaryWeight: 20 });
      expect(pass.rollout?.events).toContainEqual(expect.objectContaining({ type: 'RecordRejected', record: 'rollout', reason: 'unsigned' }));
    }
    expect(passes.at(-1)?.rollout?.status?.message).toMatch(/carries no signature.*not obeyed.*abort or retry/);

    const abort = await runCli(['abort', 'shop/web', '--endpoint-url', h.sandbox.endpoint]);
    expect([abort.code, abort.stderr]).toEqual([0, '']);
    await h.runUntil((pass) => pass.rollout?.status?.phase === 'Degraded');
    expect(await h.weights()).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
  });

  it('replayed from another service (validly signed there) or edited after signing is rejected the same way', async () => {
    const paused = await h.runUntil(waitingForPromote);
    const forged = encodeRecord(promoting(paused.rollout!.record!));
    const replayed = signRecord(TEST_RECORD_KEY, { resource: serviceArn.replace('/web', '/cart'), tag: ROLLOUT_TAG }, forged);
    const genuine = signRecord(TEST_RECORD_KEY, { resource: serviceArn, tag: ROLLOUT_TAG }, encodeRecord(paused.rollout!.record!));
    const edited = genuine.replace('g=progressing', 'g=promoting');

    for (const value of [replayed, edited]) {
      await writeRolloutTag(value);
      const passes = await hourOfPasses();
      expect(await h.weights()).toEqual({ 'shop-blue': 80, 'shop-green': 20 });
      expect(passes.at(-1)?.rollout?.events).toContainEqual(expect.objectContaining({ type: 'RecordRejected', record: 'rollout', reason: 'forged' }));
    }

    // The controller's own record, written back, is obeyed again: a promote then moves exactly one step.
    await writeRolloutTag(genuine);
    const promote = await runCli(['promote', 'shop/web', '--endpoint-url', h.sandbox.endpoint]);
    expect(promote.code).toBe(0);
    const next = await h.runUntil((pass) => waitingForPromote(pass) && pass.rollout?.record?.step === 3);
    expect(next.rollout?.status?.canaryWeight).toBe(60);
    expect(await h.weights()).toEqual({ 'shop-blue': 40, 'shop-green': 60 });
  });
});
