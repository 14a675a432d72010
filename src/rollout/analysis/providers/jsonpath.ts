/**
 * The small JSONPath subset the web provider needs: `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[*]` and `.*`, with
 * optional Kubernetes-style braces (`{$.data.ok}`, as Argo Rollouts templates write it). Only own properties of the
 * parsed JSON are read.
 */

export type PathSegment = { kind: 'field'; name: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

export class JsonPathError extends Error {
  override name = 'JsonPathError';
}

const FIELD = /^[^.[\]\s'"]+/;
const BRACKET = /^\[\s*(?:(\*)|(-?\d+)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/;

export function parseJsonPath(path: string): PathSegment[] {
  const trimmed = path.trim();
  const body = trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1).trim() : trimmed;
  if (!body.startsWith('$')) throw new JsonPathError(`jsonPath "${path}" must start with "$"`);
  const segments: PathSegment[] = [];
  let rest = body.slice(1);
  while (rest.length > 0) {
    const at = body.length - rest.length;
    if (rest.startsWith('.*')) {
      segments.push({ kind: 'wildcard' });
      rest = rest.slice(2);
    } else if (rest.startsWith('.')) {
      const name = FIELD.exec(rest.slice(1))?.[0];
      if (name === undefined) throw new JsonPathError(`jsonPath "${path}": expected a field name after "." at ${at + 1}`);
      segments.push({ kind: 'field', name });
      rest = rest.slice(1 + name.length);
    } else {
      const match = BRACKET.exec(rest);
      if (!match) throw new JsonPathError(`jsonPath "${path}": expected .field, [index], ['field'] or [*] at ${at}`);
      const [whole, star, index, single, double] = match;
      const quoted = single ?? double;
      segments.push(
        star ? { kind: 'wildcard' } : index !== undefined ? { kind: 'index', index: Number(index) } : { kind: 'field', name: quoted!.replace(/\\(.)/g, '$1') },
      );
      rest = rest.slice(whole.length);
    }
  }
  return segments;
}

/**
 * The value at `path` in `data`. With a wildcard, the list of all matches (possibly empty); without one, the single
 * match, or an error naming the path when nothing is there.
 */
export function selectJsonPath(data: unknown, path: string): unknown {
  const segments = parseJsonPath(path);
  let nodes: unknown[] = [data];
  for (const segment of segments) nodes = nodes.flatMap((node) => step(node, segment));
  if (segments.some((s) => s.kind === 'wildcard')) return nodes;
  if (nodes.length === 0) throw new JsonPathError(`jsonPath "${path}" matched nothing in the response`);
  return nodes[0];
}

function step(node: unknown, segment: PathSegment): unknown[] {
  if (typeof node !== 'object' || node === null) return [];
  switch (segment.kind) {
    case 'wildcard':
      return Array.isArray(node) ? node : Object.values(node);
    case 'index': {
      if (!Array.isArray(node)) return [];
      const i = segment.index < 0 ? node.length + segment.index : segment.index;
      return i >= 0 && i < node.length ? [node[i]] : [];
    }
    case 'field':
      return !Array.isArray(node) && Object.hasOwn(node, segment.name) ? [(node as Record<string, unknown>)[segment.name]] : [];
  }
}
