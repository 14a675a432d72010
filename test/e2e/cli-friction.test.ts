/**
 * The CLI's first minutes: bare service names, an endpoint with nothing or something else behind it, the SDK's own
 * AWS_ENDPOINT_URL, and output piped into `head`.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { cliEnv, closedPort, DEMO_SEED, runCli } from './apply-harness.js';

let sandbox: RunningSandbox;
let dir: string;
let notAws: Server;

beforeAll(async () => {
  [sandbox, dir] = await Promise.all([startSandbox({ port: 0, seed: DEMO_SEED, timeScale: 10 }), mkdtemp(path.join(tmpdir(), 'ecs-reconciler-cli-'))]);
  await cp('desired-state', dir, { recursive: true });
  notAws = createServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'text/html', server: 'nginx' });
    response.end('<html><body>Not Found</body></html>');
  });
  await new Promise<void>((resolve) => notAws.listen(0, '127.0.0.1', resolve));
  const applied = await runCli(['apply', dir, '--endpoint-url', sandbox.endpoint]);
  expect(applied.code).toBe(0);
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => notAws?.close(resolve));
  await sandbox?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a bare service name', () => {
  it('is enough for status, promote, abort and retry when only one cluster has it', async () => {
    const promote = await runCli(['promote', 'checkout', '--dir', dir, '--endpoint-url', sandbox.endpoint]);
    expect([promote.code, promote.stderr]).toEqual([0, '']);
    expect(promote.stdout).toMatch(/^promote requested for demo\/checkout /);
    const status = await runCli(['status', 'payments', '--dir', dir, '--endpoint-url', sandbox.endpoint]);
    expect([status.code, status.stderr]).toEqual([0, '']);
    expect(status.stdout).toContain('demo/payments');
  });

  it('lists the candidates when several clusters have it', async () => {
    const twin = path.join(dir, 'services', 'web-staging.yaml');
    await writeFile(twin, (await readFile(path.join(dir, 'services', 'web.yaml'), 'utf8')).replace('cluster: demo', 'cluster: staging'));
    try {
      for (const command of ['abort', 'retry', 'status']) {
        const result = await runCli([command, 'web', '--dir', dir, '--endpoint-url', sandbox.endpoint]);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(`ecs-reconciler ${command}: service "web" is in several clusters: demo/web, staging/web; give it as cluster/name, or pass --cluster\n`);
      }
    } finally {
      await rm(twin);
    }
  });
});

describe('an endpoint that is not AWS', () => {
  it('names the endpoint nothing answers at and how to start the sandbox, with no service count after it', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const diff = await runCli(['diff', dir, '--endpoint-url', endpoint]);
    expect(diff.code).toBe(2);
    expect(diff.stdout).toContain(`error: EndpointUnreachable: nothing answers at ${endpoint} (connection refused, ECONNREFUSED): is the sandbox running? Start it with "ecs-reconciler sandbox --port`);
    expect(diff.stdout).not.toMatch(/\d+ services?/);
    const status = await runCli(['status', '--dir', dir, '--endpoint-url', endpoint]);
    expect(status.stderr).toContain(`nothing answers at ${endpoint}`);
  });

  it('says what answered instead of AWS', async () => {
    const endpoint = `http://127.0.0.1:${(notAws.address() as AddressInfo).port}`;
    const status = await runCli(['status', '--dir', dir, '--endpoint-url', endpoint]);
    expect(status.code).toBe(1);
    expect(status.stderr).toBe(`ecs-reconciler status: ${endpoint} answered HTTP 404 (content-type text/html, server nginx), which is not an AWS API response: check --endpoint-url (or AWS_ENDPOINT_URL)\n`);
  });
});

describe('AWS_ENDPOINT_URL on loopback', () => {
  it('works like --endpoint-url: no region, no credentials needed', async () => {
    const unset = { AWS_REGION: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
    const status = await runCli(['status', 'checkout', '--dir', dir], { ...unset, AWS_ENDPOINT_URL: sandbox.endpoint });
    expect([status.code, status.stderr]).toEqual([0, '']);
    expect(status.stdout).toContain('demo/checkout');
  });
});

describe('output piped into a reader that stops early (`| head`)', () => {
  it.each([['schema'], ['run --help']])('ends `%s | true` quietly', async (args) => {
    // `true` exits without reading, long before the CLI has started: every write meets a closed pipe.
    const child = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" --import tsx src/cli/main.ts ${args} | true`], { env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([code, stderr]).toEqual([0, '']);
  });
});
