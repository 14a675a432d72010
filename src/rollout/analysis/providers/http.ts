/** The HTTP edge shared by the prometheus and web providers: node's fetch, a timeout on every request, JSON bodies. */

export type FetchFunction = typeof fetch;

export interface HttpProviderOptions {
  /** Default: the global fetch. */
  fetch?: FetchFunction;
}

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutSeconds: number;
}

export interface HttpResponse {
  status: number;
  text: string;
  /** `METHOD url`, for error messages. */
  label: string;
}

/** Bodies beyond this are refused: an analysis reads a number or a small document, not a dump. */
export const MAX_RESPONSE_CHARS = 4 * 1024 * 1024;

export async function httpRequest(request: HttpRequest, fetchFunction: FetchFunction = fetch): Promise<HttpResponse> {
  const method = request.method ?? 'GET';
  const url = parseHttpUrl(request.url);
  const label = `${method} ${url.origin}${url.pathname}`;
  let status: number;
  let text: string;
  try {
    const response = await fetchFunction(url, {
      method,
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'error',
      signal: AbortSignal.timeout(request.timeoutSeconds * 1000),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw new Error(`${label}: ${fetchFailure(error as FetchError, request.timeoutSeconds)}`);
  }
  if (text.length > MAX_RESPONSE_CHARS) throw new Error(`${label}: the response has more than ${MAX_RESPONSE_CHARS} characters`);
  return { status, text, label };
}

/** fetch reports "fetch failed" and hides the reason (ECONNREFUSED, ...) in `cause`. */
type FetchError = Error & { cause?: { code?: string; message?: string } };

function fetchFailure(error: FetchError, timeoutSeconds: number): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no response within ${timeoutSeconds}s`;
  return error.cause?.code ?? error.cause?.message ?? error.message;
}

export function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${text}": only http and https URLs are supported`);
  return url;
}

export function parseJson(response: HttpResponse): unknown {
  try {
    return JSON.parse(response.text);
  } catch {
    throw new Error(`${response.label}: the response is not JSON: ${snippet(response.text)}`);
  }
}

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}

export function snippet(text: string, length = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}...` : flat;
}
