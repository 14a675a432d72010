import type { SandboxAccount } from './account.js';
import { BehaviourBook } from './behaviours.js';
import { AwsError } from './errors.js';

export interface AdminResponse {
  status: number;
  body: unknown;
}

type AdminRoute = (account: SandboxAccount, body: unknown, query: URLSearchParams) => unknown;

const ROUTES: Record<string, AdminRoute> = {
  'GET /_sandbox/health': () => ({ ok: true }),
  'GET /_sandbox/state': (account) => {
    account.tick();
    return account.state();
  },
  'GET /_sandbox/clock': (account) => clockBody(account),
  'POST /_sandbox/clock/advance': (account, body) => {
    const ms = (body as { ms?: unknown } | undefined)?.ms;
    if (typeof ms !== 'number') throw new AwsError('ValidationError', 'body must be {"ms": <non-negative number>}', 400);
    account.clock.advance(ms);
    account.tick();
    return clockBody(account);
  },
  'GET /_sandbox/faults': (account) => account.faults.current(),
  'POST /_sandbox/faults': (account, body) => account.faults.configure(body),
  'GET /_sandbox/behaviours': (account) => account.behaviours.list(),
  'POST /_sandbox/behaviours': (account, body, query) => {
    const behaviours = BehaviourBook.parse(body);
    if (query.get('replace') === 'true') account.behaviours.clear();
    account.behaviours.set(behaviours);
    return account.behaviours.list();
  },
  'DELETE /_sandbox/behaviours': (account) => {
    account.behaviours.clear();
    return [];
  },
  'GET /_sandbox/calls': (account, _body, query) => account.calls.since(Number(query.get('since') ?? 0)),
  'DELETE /_sandbox/calls': (account) => {
    account.calls.clear();
    return [];
  },
};

function clockBody(account: SandboxAccount): { now: number; iso: string } {
  const now = account.clock.now();
  return { now, iso: new Date(now).toISOString() };
}

export function isAdminPath(path: string): boolean {
  return path === '/_sandbox' || path.startsWith('/_sandbox/');
}

/** The `/_sandbox/*` endpoints: plain JSON in and out, for tests, demos and benchmarks. */
export function handleAdmin(account: SandboxAccount, method: string, url: URL, rawBody: string): AdminResponse {
  const route = ROUTES[`${method} ${url.pathname.replace(/\/$/, '')}`];
  if (!route) return { status: 404, body: { error: `no admin endpoint ${method} ${url.pathname}`, endpoints: Object.keys(ROUTES) } };
  try {
    const body = rawBody.trim() === '' ? undefined : JSON.parse(rawBody);
    return { status: 200, body: route(account, body, url.searchParams) };
  } catch (error) {
    if (error instanceof SyntaxError) return { status: 400, body: { error: `body is not JSON: ${error.message}` } };
    if (error instanceof AwsError) return { status: error.httpStatus, body: { error: error.message } };
    throw error;
  }
}
