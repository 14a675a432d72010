import { AwsError } from './errors.js';

export interface QueryRequest {
  action: string;
  version: string | undefined;
  params: Record<string, unknown>;
}

/**
 * Parses an awsQuery form body and un-flattens its keys into plain data:
 * `TargetGroupArns.member.1=a` -> `{TargetGroupArns: ['a']}`,
 * `Tags.member.1.Key=k` -> `{Tags: [{Key: 'k'}]}`,
 * `Attributes.entry.1.key=k&Attributes.entry.1.value=v` -> `{Attributes: {k: 'v'}}`.
 * Scalars stay strings, as on the wire: handlers convert numbers and booleans themselves.
 * An empty list (`Names=`) becomes `[]`.
 */
export function parseQueryBody(body: string): QueryRequest {
  const form = new URLSearchParams(body);
  const action = form.get('Action');
  if (!action) throw new AwsError('MissingAction', 'Missing Action parameter', 400);
  const root: Record<string, unknown> = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    setPath(root, key.split('.'), value);
  }
  return { action, version: form.get('Version') ?? undefined, params: finishNode(root) as Record<string, unknown> };
}

const LIST_MARKER = Symbol('list');
const MAP_MARKER = Symbol('map');
type Node = Record<string | symbol, unknown>;

function setPath(node: Node, path: string[], value: string): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    node[head] = value;
    return;
  }
  const [marker, index, ...tail] = rest;
  if ((marker === 'member' || marker === 'entry') && index !== undefined && /^\d+$/.test(index)) {
    const container = ensureChild(node, head, marker === 'member' ? LIST_MARKER : MAP_MARKER);
    if (tail.length === 0) {
      container[index] = value;
    } else {
      setPath(ensureChild(container, index), tail, value);
    }
    return;
  }
  setPath(ensureChild(node, head), rest, value);
}

function ensureChild(node: Node, key: string, kind?: symbol): Node {
  const existing = node[key];
  if (existing !== null && typeof existing === 'object') {
    if (kind) (existing as Node)[kind] = true;
    return existing as Node;
  }
  const child: Node = {};
  if (kind) child[kind] = true;
  node[key] = child;
  return child;
}

function finishNode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const node = value as Node;
  const indexed = () =>
    Object.keys(node)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => finishNode(node[k]));
  if (node[LIST_MARKER]) return indexed();
  if (node[MAP_MARKER]) {
    const map: Record<string, unknown> = {};
    for (const entry of indexed() as Array<{ key?: unknown; value?: unknown }>) {
      if (entry && typeof entry.key === 'string') map[entry.key] = entry.value;
    }
    return map;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node)) out[key] = node[key] === '' ? emptyListOrString(key) : finishNode(node[key]);
  return out;
}

/** A bare `Key=` is an empty list for plural member names (`TargetGroupArns=`), otherwise an empty string. */
function emptyListOrString(key: string): unknown {
  return /s$/.test(key) && /^[A-Z]/.test(key) ? [] : '';
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** One value as awsQuery XML: lists as `<member>` items, `Date` as ISO-8601, booleans as true/false. */
export function toXml(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    let xml = '';
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined || child === null) continue;
      xml += `<${key}>${toXml(child)}</${key}>`;
    }
    return xml;
  }
  return escapeXml(String(value));
}

export function queryResponseBody(action: string, output: unknown, xmlNamespace: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${escapeXml(xmlNamespace)}">` +
    `<${action}Result>${toXml(output ?? {})}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${action}Response>`
  );
}

export function queryErrorBody(error: AwsError, xmlNamespace: string | undefined, requestId: string): string {
  const xmlns = xmlNamespace ? ` xmlns="${escapeXml(xmlNamespace)}"` : '';
  return (
    `<ErrorResponse${xmlns}><Error><Type>${error.faultType}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** The service name in a SigV4 Authorization header's credential scope (`.../us-east-1/elasticloadbalancing/aws4_request`). */
export function signingNameFromAuthorization(authorization: string | undefined): string | undefined {
  const match = authorization?.match(/Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/);
  return match?.[1];
}
