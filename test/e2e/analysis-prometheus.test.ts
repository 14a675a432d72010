/**
 * The prometheus provider against a real Prometheus server (the Debian package, /usr/bin/prometheus): Prometheus
 * scrapes a small exporter started here on loopback every second, and an analysis run queries it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemTime } from '../../src/controller/time.js';
import { createPrometheusProvider, createRunSpec, runPhase, startRun, summarizeRun, takeMeasurements } from '../../src/rollout/analysis/index.js';
import type { AnalysisTemplateManifest } from '../../src/manifest/index.js';

const PROMETHEUS = '/usr/bin/prometheus';
const available = existsSync(PROMETHEUS);
const title = available
  ? 'measures a canary error rate that Prometheus scraped from a live exporter'
  : `SKIPPED: ${PROMETHEUS} is missing (install the Debian package "prometheus"; CI does)`;

/** Every scrape adds 90 successful and 10 failed canary requests: a 10% error rate. */
function startExporter(): Promise<Server> {
  let scrapes = 0;
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    scrapes += 1;
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(
      [
        '# HELP http_requests_total Requests served.',
        '# TYPE http_requests_total counter',
        `http_requests_total{version="canary",code="200"} ${scrapes * 90}`,
        `http_requests_total{version="canary",code="500"} ${scrapes * 10}`,
        `http_requests_total{version="stable",code="200"} ${scrapes * 100}`,
        '',
      ].join('\n'),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A port that was free a moment ago: Prometheus takes a listen address, not a listening socket. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns a value; a real server needs real time to start and scrape. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, diagnostics: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const ERROR_RATE = 'sum(rate(http_requests_total{version="{{args.version}}",code=~"5.."}[15s])) / sum(rate(http_requests_total{version="{{args.version}}"}[15s]))';

describe('prometheus provider against a real Prometheus', () => {
  let exporter: Server | undefined;
  let prometheus: ChildProcess | undefined;
  let dataDir: string | undefined;
  let address: string;
  let output = '';

  beforeAll(async () => {
    if (!available) return;
    exporter = await startExporter();
    dataDir = await mkdtemp(join(tmpdir(), 'ecs-reconciler-prometheus-'));
    const exporterPort = (exporter.address() as AddressInfo).port;
    const config = join(dataDir, 'prometheus.yml');
    await writeFile(
      config,
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`,
    );
    const port = await freePort();
    address = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dataDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prometheus.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    prometheus.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const diagnostics = () => `prometheus output:\n${output}`;
    await waitFor('Prometheus to be ready', async () => ((await fetch(`${address}/-/ready`)).ok ? true : undefined), 30_000, diagnostics);
    const query = new URL('/api/v1/query', address);
    query.searchParams.set('query', ERROR_RATE.replaceAll('{{args.version}}', 'canary'));
    await waitFor(
      'two scrapes of the exporter',
      async () => {
        const body = (await (await fetch(query)).json()) as { data?: { result?: Array<{ value: [number, string] }> } };
        const value = body.data?.result?.[0]?.value[1];
        return value !== undefined && value !== 'NaN' ? value : undefined;
      },
      30_000,
      diagnostics,
    );
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      const forced = setTimeout(() => prometheus!.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(forced);
    }
    if (exporter) await new Promise<void>((resolve) => exporter!.close(() => resolve()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!available)(title, async () => {
    const template: AnalysisTemplateManifest = {
      apiVersion: 'ecs-reconciler/v1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'error-rate' },
      spec: {
        args: [{ name: 'version' }, { name: 'prometheus' }],
        metrics: [
          { name: 'under-20pct', successCondition: 'len(result) == 1 && result[0] < 0.2', provider: { prometheus: { address: '{{args.prometheus}}', query: ERROR_RATE, timeoutSeconds: 5 } } },
          { name: 'under-5pct', successCondition: 'default(result[0], 0) < 0.05', provider: { prometheus: { address: '{{args.prometheus}}', query: ERROR_RATE } } },
        ],
      },
    };
    const spec = createRunSpec({
      ref: { templates: ['error-rate'], args: [{ name: 'version', value: 'canary' }] },
      templates: new Map([['error-rate', template]]),
      contextArgs: { prometheus: address },
    });
    const run = await takeMeasurements(spec, startRun(spec, systemTime.now()), { prometheus: createPrometheusProvider() }, systemTime);
    const [lenient, strict] = summarizeRun(run, systemTime.now()).metrics;
    expect(lenient).toMatchObject({ phase: 'Successful', successful: 1 });
    expect(strict).toMatchObject({ phase: 'Failed', failed: 1 });
    expect(Number(JSON.parse(lenient!.lastMeasurement!.value!)[0])).toBeCloseTo(0.1, 6);
    expect(runPhase(run)).toBe('Failed');
  });
});
