import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusProvider } from '../../../src/rollout/analysis/index.js';
import { queryValue } from '../../../src/rollout/analysis/providers/prometheus.js';
import { measureWith, sendJson, startTestServer, type TestServer } from './helpers.js';

/** Answers like Prometheus' HTTP API, by query text. */
const ANSWERS: Record<string, [number, unknown]> = {
  'sum(rate(errors[5m]))': [200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1767268800, '0.0125'] }] } }],
  by_version: [
    200,
    {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { version: 'canary' }, value: [1767268800, '0.5'] },
          { metric: { version: 'stable' }, value: [1767268800, 'NaN'] },
          { metric: { version: 'old' }, value: [1767268800, '+Inf'] },
        ],
      },
    },
  ],
  empty: [200, { status: 'success', data: { resultType: 'vector', result: [] } }],
  scalar: [200, { status: 'success', data: { resultType: 'scalar', result: [1767268800, '42'] } }],
  range: [200, { status: 'success', data: { resultType: 'matrix', result: [] } }],
  'sum(': [400, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis' }],
  overloaded: [503, 'service unavailable'],
};

let server: TestServer;
const prometheus = createPrometheusProvider();
const query = (text: string, address = `${server.url}/prom/`) => measureWith(prometheus, { name: 'q', provider: { prometheus: { address, query: text } } });

beforeAll(async () => {
  server = await startTestServer((request, response) => {
    const url = new URL(request.url, 'http://x');
    if (url.pathname !== '/prom/api/v1/query' || request.method !== 'GET') return sendJson(response, 404, { status: 'error', error: `no route ${url.pathname}` });
    const [status, body] = ANSWERS[url.searchParams.get('query') ?? ''] ?? [200, { status: 'success', data: { resultType: 'vector', result: [] } }];
    sendJson(response, status, body);
  });
});

afterAll(() => server.close());

describe('prometheus provider against a fake Prometheus HTTP API', () => {
  it('returns a vector as numbers, keeping the address path prefix and URL-encoding the query', async () => {
    expect((await query('sum(rate(errors[5m]))')).value).toEqual([0.0125]);
    expect((await query('sum(rate(errors[5m]))', `${server.url}/prom`)).value).toEqual([0.0125]);
    expect(server.requests.at(-1)!.url).toBe('/prom/api/v1/query?query=sum%28rate%28errors%5B5m%5D%29%29');
  });

  it('reads NaN and infinities, empty vectors and scalars', async () => {
    expect((await query('by_version')).value).toEqual([0.5, Number.NaN, Infinity]);
    expect((await query('empty')).value).toEqual([]);
    expect((await query('scalar')).value).toBe(42);
  });

  it('substitutes args into the query', async () => {
    const result = await measureWith(prometheus, { name: 'q', provider: { prometheus: { address: `${server.url}/prom`, query: '{{args.q}}' } } }, { declared: [{ name: 'q', value: 'scalar' }] });
    expect(result.value).toBe(42);
  });

  it('fails with Prometheus error details, on non-JSON errors and on range vectors', async () => {
    await expect(query('sum(')).rejects.toThrow('prometheus query failed (HTTP 400, bad_data): invalid parameter "query": 1:5: parse error: unclosed left parenthesis');
    await expect(query('overloaded')).rejects.toThrow(`GET ${server.url}/prom/api/v1/query returned HTTP 503: service unavailable`);
    await expect(query('range')).rejects.toThrow('the query returned a range vector: use an instant query');
  });
});

describe('queryValue', () => {
  it('reads string results and refuses malformed data', () => {
    expect(queryValue({ resultType: 'string', result: [1, 'hello'] })).toBe('hello');
    expect(() => queryValue({ resultType: 'vector', result: [{ value: [1, 'abc'] }] })).toThrow('unexpected prometheus sample value "abc"');
    expect(() => queryValue({ resultType: 'vector', result: [{ value: [1, ''] }] })).toThrow('unexpected prometheus sample value ""');
    expect(() => queryValue({ resultType: 'vector', result: [{ metric: {} }] })).toThrow('unexpected prometheus sample');
    expect(() => queryValue(undefined)).toThrow('unexpected prometheus response data: none');
  });
});
