/** `run --leader-elect` refuses bad settings and an unusable lease table at start, with a message and exit code 1. */
import { describe, expect, it } from 'vitest';
import { closedPort, runCli } from './apply-harness.js';

describe('run --leader-elect at start', () => {
  it('refuses a renew interval above half the lease duration', async () => {
    const result = await runCli(['run', '--dir', '.', '--listen', '127.0.0.1:0', '--leader-elect', '--lease-duration', '3s', '--lease-renew', '2s']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ecs-reconciler run: the renew interval (2000 ms) must be at most half the lease duration (3000 ms)');
  });

  it('refuses to run when the lease table cannot be reached, naming the table', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(['run', '--dir', '.', '--listen', '127.0.0.1:0', '--leader-elect', '--lease-endpoint-url', endpoint, '--lease-table', 'missing-leases']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ecs-reconciler run: leader election on DynamoDB table missing-leases failed to start: .*ECONNREFUSED/);
  });

  it('refuses a non-integer shard count', async () => {
    const result = await runCli(['run', '--dir', '.', '--leader-elect', '--shards', '1.5']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("option '--shards <n>' argument '1.5' is invalid. expected an integer 1..1024");
  });
});
