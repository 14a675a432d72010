/**
 * The waiting loop of `wait` and `apply --wait`: poll until every service is healthy or one has failed, printing
 * progress (on a terminal one live line per service, redrawn; otherwise one line per change), and exit like
 * `argocd app wait`: 0 every service healthy, 1 a service failed or is Degraded (with the reason), 2 timeout or error.
 */
import type { Outcome } from './outcome.js';

export const WAIT_EXIT = { healthy: 0, failed: 1, timeoutOrError: 2 } as const;

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  out: { write(text: string): unknown; isTTY?: boolean };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function outcomeLine(key: string, outcome: Outcome): string {
  const label = outcome.state === 'healthy' ? 'Healthy' : outcome.state === 'failed' ? 'Failed' : 'Progressing';
  return `${key}  ${label}  ${outcome.detail}`;
}

/**
 * `poll` returns the outcome of every key (it may throw: AWS unreachable is exit 2). Stops at the first failure:
 * a CI job learns at once that the deploy it waits for is not going to succeed.
 */
export async function waitForOutcomes(keys: readonly string[], poll: () => Promise<Map<string, Outcome>>, options: WaitOptions): Promise<number> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const deadline = now() + options.timeoutMs;
  const printed = new Map<string, string>();
  let drawn = 0;
  const show = (outcomes: Map<string, Outcome>) => {
    const lines = keys.map((key) => outcomeLine(key, outcomes.get(key) ?? { state: 'progressing', detail: 'not observed yet' }));
    if (options.out.isTTY) {
      // Redraw the block of live lines in place.
      options.out.write(`${drawn > 0 ? `\u001b[${drawn}A` : ''}${lines.map((line) => `\u001b[2K${line}\n`).join('')}`);
      drawn = lines.length;
      return;
    }
    keys.forEach((key, i) => {
      const line = lines[i] ?? '';
      if (printed.get(key) !== line) options.out.write(`${line}\n`);
      printed.set(key, line);
    });
  };
  for (;;) {
    let outcomes: Map<string, Outcome>;
    try {
      outcomes = await poll();
    } catch (error) {
      options.out.write(`error: ${(error as Error).message}\n`);
      return WAIT_EXIT.timeoutOrError;
    }
    show(outcomes);
    const failed = keys.filter((key) => outcomes.get(key)?.state === 'failed');
    if (failed.length > 0) {
      for (const key of failed) options.out.write(`${key} failed: ${outcomes.get(key)?.detail ?? ''}\n`);
      return WAIT_EXIT.failed;
    }
    if (keys.every((key) => outcomes.get(key)?.state === 'healthy')) return WAIT_EXIT.healthy;
    if (now() >= deadline) {
      const waiting = keys.filter((key) => outcomes.get(key)?.state !== 'healthy');
      options.out.write(`timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${waiting.join(', ')}\n`);
      return WAIT_EXIT.timeoutOrError;
    }
    await sleep(Math.min(options.intervalMs, Math.max(0, deadline - now())));
  }
}
