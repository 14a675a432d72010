/**
 * The `prometheus` provider: an instant query through the HTTP API (GET /api/v1/query). A vector gives its sample
 * values as numbers (in Prometheus' order), a scalar its number, a string its text.
 */
import type { MetricProvider } from '../measure.js';
import { providerConfig } from './config.js';
import { httpRequest, isSuccessStatus, parseJson, snippet, type HttpProviderOptions } from './http.js';

export const PROMETHEUS_DEFAULT_TIMEOUT_SECONDS = 30;

interface QueryResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export function createPrometheusProvider(options: HttpProviderOptions = {}): MetricProvider {
  return {
    async measure(metric, args) {
      const prometheus = providerConfig(metric, 'prometheus', args);
      const base = prometheus.address.endsWith('/') ? prometheus.address : `${prometheus.address}/`;
      const url = new URL('api/v1/query', base);
      url.searchParams.set('query', prometheus.query);
      const response = await httpRequest({ url: url.href, timeoutSeconds: prometheus.timeoutSeconds ?? PROMETHEUS_DEFAULT_TIMEOUT_SECONDS }, options.fetch);
      let body: QueryResponse;
      try {
        body = parseJson(response) as QueryResponse;
      } catch (error) {
        if (isSuccessStatus(response.status)) throw error;
        throw new Error(`${response.label} returned HTTP ${response.status}: ${snippet(response.text)}`);
      }
      if (!isSuccessStatus(response.status) || body.status !== 'success') {
        throw new Error(`prometheus query failed (HTTP ${response.status}${body.errorType ? `, ${body.errorType}` : ''}): ${body.error ?? snippet(response.text)}`);
      }
      return { value: queryValue(body.data), raw: body.data };
    },
  };
}

/** The result of an instant query as condition input. */
export function queryValue(data: QueryResponse['data']): unknown {
  const result = data?.result;
  switch (data?.resultType) {
    case 'vector':
      if (!Array.isArray(result)) break;
      return result.map((sample: { value?: unknown }) => sampleValue(sample.value));
    case 'scalar':
      return sampleValue(result);
    case 'string':
      if (Array.isArray(result) && typeof result[1] === 'string') return result[1];
      break;
    case 'matrix':
      throw new Error('the query returned a range vector: use an instant query (for example wrap the range in rate() or last_over_time())');
  }
  throw new Error(`unexpected prometheus response data: ${snippet(JSON.stringify(data) ?? 'none')}`);
}

/** A `[time, "value"]` pair; Prometheus writes special values as "NaN", "+Inf" and "-Inf". */
function sampleValue(pair: unknown): number {
  const text = Array.isArray(pair) ? pair[1] : undefined;
  if (typeof text !== 'string') throw new Error(`unexpected prometheus sample ${snippet(JSON.stringify(pair) ?? 'none')}`);
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = Number(text);
  if (text.trim() === '' || (Number.isNaN(value) && text !== 'NaN')) throw new Error(`unexpected prometheus sample value "${text}"`);
  return value;
}
