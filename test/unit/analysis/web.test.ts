import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebProvider } from '../../../src/rollout/analysis/index.js';
import type { AnalysisProvider } from '../../../src/manifest/index.js';
import { measureWith, sendJson, startTestServer, webMetric, type TestServer } from './helpers.js';

let server: TestServer;
const web = createWebProvider();

beforeAll(async () => {
  server = await startTestServer((request, response) => {
    if (request.url.startsWith('/metrics')) return sendJson(response, 200, { data: { ok: true, rate: 0.02 }, items: [{ value: 1 }, { value: 2 }] });
    if (request.url === '/echo') return sendJson(response, 200, { method: request.method, body: request.body, auth: request.headers.authorization ?? null });
    if (request.url === '/broken') return sendJson(response, 503, 'upstream   unavailable\n');
    if (request.url === '/text') return sendJson(response, 200, 'plain words');
    if (request.url === '/hang') return;
    response.writeHead(302, { location: '/metrics' }).end();
  });
});

afterAll(() => server.close());

const measure = (provider: AnalysisProvider, declared?: Array<{ name: string; value?: string }>, passed?: Array<{ name: string; value: string }>) =>
  measureWith(web, webMetric({ provider }), { declared, passed });

describe('web provider', () => {
  it('selects with jsonPath, or returns the whole JSON body', async () => {
    expect((await measure({ web: { url: `${server.url}/metrics`, jsonPath: '{$.data.rate}' } })).value).toBe(0.02);
    expect((await measure({ web: { url: `${server.url}/metrics`, jsonPath: '$.items[*].value' } })).value).toEqual([1, 2]);
    const whole = await measure({ web: { url: `${server.url}/metrics` } });
    expect(whole.value).toEqual({ data: { ok: true, rate: 0.02 }, items: [{ value: 1 }, { value: 2 }] });
  });

  it('sends method, headers and body, with args substituted', async () => {
    const result = await measure(
      { web: { url: `${server.url}/{{args.path}}`, method: 'POST', headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }], body: '{"service":"{{args.service}}"}' } },
      [{ name: 'path', value: 'echo' }, { name: 'token' }, { name: 'service' }],
      [{ name: 'token', value: 's3cret' }, { name: 'service', value: 'checkout' }],
    );
    expect(result.value).toEqual({ method: 'POST', body: '{"service":"checkout"}', auth: 'Bearer s3cret' });
  });

  it('fails on a non-2xx status, a non-JSON body, a redirect or a jsonPath that matches nothing', async () => {
    await expect(measure({ web: { url: `${server.url}/broken` } })).rejects.toThrow(`GET ${server.url}/broken returned HTTP 503: upstream unavailable`);
    await expect(measure({ web: { url: `${server.url}/text` } })).rejects.toThrow('the response is not JSON: plain words');
    await expect(measure({ web: { url: `${server.url}/elsewhere` } })).rejects.toThrow(`GET ${server.url}/elsewhere:`);
    await expect(measure({ web: { url: `${server.url}/metrics`, jsonPath: '$.data.nope' } })).rejects.toThrow('jsonPath "$.data.nope" matched nothing');
  });

  it('fails on unreachable servers and bad URLs with the reason', async () => {
    const closed = await startTestServer(() => undefined);
    await closed.close();
    await expect(measure({ web: { url: `${closed.url}/x` } })).rejects.toThrow(`GET ${closed.url}/x: ECONNREFUSED`);
    await expect(measure({ web: { url: 'not a url' } })).rejects.toThrow('"not a url" is not a valid URL');
    await expect(measure({ web: { url: 'file:///etc/passwd' } })).rejects.toThrow('only http and https URLs are supported');
  });

  it('gives up after timeoutSeconds', async () => {
    await expect(measure({ web: { url: `${server.url}/hang`, timeoutSeconds: 1 } })).rejects.toThrow(`GET ${server.url}/hang: no response within 1s`);
  });
});
