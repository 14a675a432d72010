/**
 * A minimal controller process for the SIGKILL test: reconcile passes of one folder in a loop, on the sandbox's
 * simulated clock (read from `/_sandbox/clock` at the start of each pass), printing one JSON line per pass. Nothing
 * is kept between passes but the AWS state, as in the real controller.
 *
 *   node --import tsx test/e2e/rollout-kill-child.ts <sandbox endpoint> <desired-state dir>
 */
import { reconcileAll } from '../../src/reconcile/index.js';
import { KEY, newClients } from './rollout-harness.js';

const [endpoint, dir] = process.argv.slice(2);
if (!endpoint || !dir) throw new Error('usage: rollout-kill-child.ts <endpoint> <dir>');
// The test that spawned this process is gone (or stopped reading): so is the reason to run.
process.stdout.on('error', () => process.exit(0));
const clients = newClients(endpoint);
let now = 0;
const clock = { now: () => now };

for (;;) {
  now = ((await (await fetch(`${endpoint}/_sandbox/clock`)).json()) as { now: number }).now;
  const report = await reconcileAll({ dir, clients, options: { readBack: { attempts: 1, delayMs: 0 } }, rollout: { clock } });
  const rollout = report.rollouts?.[KEY];
  process.stdout.write(`${JSON.stringify({ phase: rollout?.status?.phase, hash: rollout?.hash, stable: rollout?.status?.stable?.hash, canary: rollout?.status?.canary !== undefined, error: report.error ?? rollout?.error, requeueAfterMs: report.requeueAfterMs })}\n`);
}
