import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnalysisMetric, AnalysisTemplateManifest } from '../../../src/manifest/index.js';
import { createRunSpec, type AnalysisRunSpec, type MetricProvider, type MetricSpec, type MetricValue } from '../../../src/rollout/analysis/index.js';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export function template(name: string, metrics: AnalysisMetric[], args?: Array<{ name: string; value?: string }>): AnalysisTemplateManifest {
  return { apiVersion: 'ecs-reconciler/v1', kind: 'AnalysisTemplate', metadata: { name }, spec: { ...(args ? { args } : {}), metrics } };
}

export const webMetric = (overrides: Partial<AnalysisMetric> = {}): AnalysisMetric => ({
  name: 'ok',
  provider: { web: { url: 'http://127.0.0.1:1/health' } },
  ...overrides,
});

/** A run spec of one template; `background` and args as an analysis step would pass them. */
export function specOf(templates: AnalysisTemplateManifest[], options: { args?: Array<{ name: string; value: string }>; background?: boolean; contextArgs?: Record<string, string> } = {}): AnalysisRunSpec {
  return createRunSpec({
    ref: { templates: templates.map((t) => t.metadata.name), ...(options.args ? { args: options.args } : {}) },
    templates: new Map(templates.map((t) => [t.metadata.name, t])),
    ...(options.background === undefined ? {} : { background: options.background }),
    ...(options.contextArgs ? { contextArgs: options.contextArgs } : {}),
  });
}

/** The single metric of a one-metric template, ready for a provider. */
export function metricSpecOf(metric: AnalysisMetric, args?: Array<{ name: string; value?: string }>, passed?: Array<{ name: string; value: string }>): MetricSpec {
  return specOf([template('t', [metric], args)], passed ? { args: passed } : {}).metrics[0]!;
}

/** Measures the only metric of a one-metric template with `provider`, as a run would: args resolved, now = `now`. */
export function measureWith(
  provider: MetricProvider,
  metric: AnalysisMetric,
  options: { declared?: Array<{ name: string; value?: string }>; passed?: Array<{ name: string; value: string }>; now?: number } = {},
): Promise<MetricValue> {
  const spec = specOf([template('t', [metric], options.declared)], options.passed ? { args: options.passed } : {});
  return provider.measure(spec.metrics[0]!, spec.args, { now: options.now ?? T0 });
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A loopback HTTP server on a random port that answers with `handler` and records every request. */
export async function startTestServer(handler: (request: RecordedRequest, response: ServerResponse) => void): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}
