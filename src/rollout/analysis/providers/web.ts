/** The `web` provider: an HTTP request whose JSON response (or the part a jsonPath selects) is the result. */
import type { MetricProvider } from '../measure.js';
import { providerConfig } from './config.js';
import { httpRequest, isSuccessStatus, parseJson, snippet, type HttpProviderOptions } from './http.js';
import { selectJsonPath } from './jsonpath.js';

export const WEB_DEFAULT_TIMEOUT_SECONDS = 10;

export function createWebProvider(options: HttpProviderOptions = {}): MetricProvider {
  return {
    async measure(metric, args) {
      const web = providerConfig(metric, 'web', args);
      const response = await httpRequest(
        {
          url: web.url,
          method: web.method ?? 'GET',
          headers: Object.fromEntries((web.headers ?? []).map((h) => [h.key, h.value])),
          ...(web.body === undefined ? {} : { body: web.body }),
          timeoutSeconds: web.timeoutSeconds ?? WEB_DEFAULT_TIMEOUT_SECONDS,
        },
        options.fetch,
      );
      if (!isSuccessStatus(response.status)) throw new Error(`${response.label} returned HTTP ${response.status}: ${snippet(response.text)}`);
      const body = parseJson(response);
      return { value: web.jsonPath === undefined ? body : selectJsonPath(body, web.jsonPath), raw: body };
    },
  };
}
