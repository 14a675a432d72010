/**
 * Failures that say nothing about AWS but about the endpoint: nothing listens there, or something that is not an
 * AWS API answers. The SDK reports them as a bare socket code (ECONNREFUSED) or a deserialization error
 * (UnknownError, SyntaxError); these name the endpoint and what to do instead.
 */

/** Socket errors meaning the endpoint could not be reached at all. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

interface SdkFailure {
  name?: unknown;
  code?: unknown;
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

/** An error named after `code`, keeping the SDK's as its cause. */
function namedError(code: string, message: string, cause: unknown): Error {
  const error = new Error(message, { cause });
  error.name = code;
  return error;
}

/**
 * The clearer error for a call to `url` that failed with `error`, or undefined when AWS (or the sandbox) answered:
 * throttling, access denied and the like keep the SDK's own exception.
 */
export function endpointFailure(error: unknown, url: URL): Error | undefined {
  const failure = error as SdkFailure | undefined;
  const endpoint = url.origin;
  const code = typeof failure?.code === 'string' ? failure.code : undefined;
  if (code !== undefined && code in UNREACHABLE) {
    const hint = isLoopbackHost(url.hostname)
      ? `is the sandbox running? Start it with "ecs-reconciler sandbox --port ${url.port || 80}" (or "ecs-reconciler dev", which runs the controller too)`
      : 'check --endpoint-url (or AWS_ENDPOINT_URL) and the network';
    return namedError('EndpointUnreachable', `nothing answers at ${endpoint} (${UNREACHABLE[code]}, ${code}): ${hint}`, error);
  }
  const response = failure?.$response;
  if (response?.statusCode === undefined || (failure?.name !== 'UnknownError' && failure?.name !== 'SyntaxError')) return undefined;
  const headers = response.headers ?? {};
  const seen = [headers['content-type'] ? `content-type ${headers['content-type']}` : '', headers.server ? `server ${headers.server}` : ''].filter(Boolean).join(', ');
  return namedError(
    'NotAnAwsEndpoint',
    `${endpoint} answered HTTP ${response.statusCode}${seen ? ` (${seen})` : ''}, which is not an AWS API response: check --endpoint-url (or AWS_ENDPOINT_URL)`,
    error,
  );
}

interface BuildStack {
  add(middleware: never, options: { step: 'build'; priority: 'high'; name: string; tags: string[] }): void;
}

interface BuiltRequest {
  request?: { protocol?: string; hostname?: string; port?: number };
}

/**
 * Rewrites endpoint failures into `endpointFailure`'s errors. In the build step the request has its endpoint, and the
 * retries (finalize step) are inside it, so the rewrite happens once, after the last attempt.
 */
export function installEndpointFailureMiddleware(client: { middlewareStack: BuildStack }): void {
  const middleware = (next: (args: BuiltRequest) => Promise<unknown>) => async (args: BuiltRequest) => {
    try {
      return await next(args);
    } catch (error) {
      const { protocol = 'https:', hostname, port } = args.request ?? {};
      if (hostname === undefined) throw error;
      throw endpointFailure(error, new URL(`${protocol}//${hostname}${port === undefined ? '' : `:${port}`}`)) ?? error;
    }
  };
  client.middlewareStack.add(middleware as never, { step: 'build', priority: 'high', name: 'ecsReconcilerEndpointFailure', tags: ['ECS_RECONCILER'] });
}
