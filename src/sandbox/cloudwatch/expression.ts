/**
 * A small, safe evaluator for CloudWatch metric math: numbers, query ids, + - * /, parentheses, unary minus,
 * [lists], and the functions SUM, AVG, MIN, MAX, FILL, ABS, CEIL, FLOOR and METRICS(). Parsed to a tree and
 * interpreted; nothing is ever handed to `eval`.
 */

/** Timestamp (epoch ms) -> value. */
export type TimeSeries = Map<number, number>;
export type ExprValue = number | TimeSeries | TimeSeries[];

export type ExprNode =
  | { kind: 'number'; value: number }
  | { kind: 'ref'; id: string }
  | { kind: 'keyword'; name: string }
  | { kind: 'negate'; arg: ExprNode }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: ExprNode; right: ExprNode }
  | { kind: 'call'; name: string; args: ExprNode[] }
  | { kind: 'list'; items: ExprNode[] };

export class ExpressionError extends Error {}

type Token = { type: 'number'; value: number } | { type: 'name'; value: string } | { type: 'punct'; value: string };

const KEYWORDS = new Set(['REPEAT', 'LINEAR']);
const FUNCTIONS = new Set(['SUM', 'AVG', 'MIN', 'MAX', 'FILL', 'ABS', 'CEIL', 'FLOOR', 'METRICS']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/(),[\]]))/y;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) throw new ExpressionError(`Unexpected character '${text.slice(index).trim()[0]}' at position ${index + 1}`);
    if (match[1] !== undefined) tokens.push({ type: 'number', value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ type: 'name', value: match[2] });
    else tokens.push({ type: 'punct', value: match[3]! });
    index = pattern.lastIndex;
  }
  return tokens;
}

export function parseExpression(text: string): ExprNode {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isPunct = (value: string): boolean => peek()?.type === 'punct' && peek()!.value === value;
  const expect = (value: string): void => {
    if (!isPunct(value)) throw new ExpressionError(`Expected '${value}' in expression '${text}'`);
    position++;
  };
  const list = (close: string): ExprNode[] => {
    const items: ExprNode[] = [];
    if (isPunct(close)) return items;
    items.push(additive());
    while (isPunct(',')) {
      position++;
      items.push(additive());
    }
    return items;
  };
  const primary = (): ExprNode => {
    const token = peek();
    if (!token) throw new ExpressionError(`Unexpected end of expression '${text}'`);
    position++;
    if (token.type === 'number') return { kind: 'number', value: token.value };
    if (token.type === 'name') {
      const upper = token.value.toUpperCase();
      if (isPunct('(')) {
        if (!FUNCTIONS.has(upper)) throw new ExpressionError(`Unsupported function '${token.value}'`);
        position++;
        const args = list(')');
        expect(')');
        return { kind: 'call', name: upper, args };
      }
      if (KEYWORDS.has(upper)) return { kind: 'keyword', name: upper };
      return { kind: 'ref', id: token.value };
    }
    if (token.value === '(') {
      const inner = additive();
      expect(')');
      return inner;
    }
    if (token.value === '[') {
      const items = list(']');
      expect(']');
      return { kind: 'list', items };
    }
    if (token.value === '-') return { kind: 'negate', arg: primary() };
    throw new ExpressionError(`Unexpected '${token.value}' in expression '${text}'`);
  };
  const multiplicative = (): ExprNode => {
    let node = primary();
    while (isPunct('*') || isPunct('/')) {
      const op = (tokens[position++] as { value: '*' | '/' }).value;
      node = { kind: 'binary', op, left: node, right: primary() };
    }
    return node;
  };
  function additive(): ExprNode {
    let node = multiplicative();
    while (isPunct('+') || isPunct('-')) {
      const op = (tokens[position++] as { value: '+' | '-' }).value;
      node = { kind: 'binary', op, left: node, right: multiplicative() };
    }
    return node;
  }
  const root = additive();
  if (position < tokens.length) throw new ExpressionError(`Unexpected '${String(tokens[position]!.value)}' in expression '${text}'`);
  return root;
}

/** Every query id an expression refers to, for dependency order and cycle checks. */
export function referencedIds(node: ExprNode): string[] {
  switch (node.kind) {
    case 'ref':
      return [node.id];
    case 'negate':
      return referencedIds(node.arg);
    case 'binary':
      return [...referencedIds(node.left), ...referencedIds(node.right)];
    case 'call':
    case 'list':
      return (node.kind === 'call' ? node.args : node.items).flatMap(referencedIds);
    default:
      return [];
  }
}

export interface EvaluationContext {
  resolve(id: string): ExprValue;
  /** Every period start in the query range, ascending: FILL fills these. */
  grid: readonly number[];
  /** The results of all the request's metric (non-expression) queries, for METRICS(). */
  metrics(): TimeSeries[];
}

const isSeries = (value: ExprValue): value is TimeSeries => value instanceof Map;

function mapValues(series: TimeSeries, f: (value: number) => number): TimeSeries {
  const out: TimeSeries = new Map();
  for (const [t, v] of series) {
    const result = f(v);
    if (Number.isFinite(result)) out.set(t, result);
  }
  return out;
}

function applyBinary(op: '+' | '-' | '*' | '/', left: ExprValue, right: ExprValue): ExprValue {
  const f = (a: number, b: number): number => (op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b);
  if (Array.isArray(left)) return left.map((s) => applyBinary(op, s, right) as TimeSeries);
  if (Array.isArray(right)) return right.map((s) => applyBinary(op, left, s) as TimeSeries);
  if (typeof left === 'number' && typeof right === 'number') return f(left, right);
  if (typeof left === 'number') return mapValues(right as TimeSeries, (v) => f(left, v));
  if (typeof right === 'number') return mapValues(left, (v) => f(v, right));
  // Two series combine where both have a datapoint, as in CloudWatch.
  const out: TimeSeries = new Map();
  for (const [t, a] of left) {
    const b = (right as TimeSeries).get(t);
    if (b === undefined) continue;
    const result = f(a, b);
    if (Number.isFinite(result)) out.set(t, result);
  }
  return out;
}

const AGGREGATES: Record<string, (values: number[]) => number> = {
  SUM: (values) => values.reduce((a, b) => a + b, 0),
  AVG: (values) => values.reduce((a, b) => a + b, 0) / values.length,
  MIN: (values) => Math.min(...values),
  MAX: (values) => Math.max(...values),
};

function aggregate(name: string, args: ExprValue[]): ExprValue {
  const reduce = AGGREGATES[name]!;
  const first = args[0];
  // One series: a single number over all its datapoints.
  if (args.length === 1 && first !== undefined && isSeries(first)) return first.size === 0 ? Number.NaN : reduce([...first.values()]);
  if (args.length === 1 && typeof first === 'number') return first;
  const series = args.flatMap((arg) => (Array.isArray(arg) ? arg : [arg]));
  if (series.some((s) => typeof s === 'number')) throw new ExpressionError(`${name} takes time series, or one list of time series`);
  const byTime = new Map<number, number[]>();
  for (const s of series as TimeSeries[]) for (const [t, v] of s) byTime.set(t, [...(byTime.get(t) ?? []), v]);
  const out: TimeSeries = new Map();
  for (const t of [...byTime.keys()].sort((a, b) => a - b)) out.set(t, reduce(byTime.get(t)!));
  return out;
}

function fill(target: ExprValue, how: ExprNode, value: ExprValue | undefined, grid: readonly number[]): ExprValue {
  if (Array.isArray(target)) return target.map((s) => fill(s, how, value, grid) as TimeSeries);
  if (!isSeries(target)) return target;
  const out: TimeSeries = new Map();
  const known = [...target.keys()].sort((a, b) => a - b);
  for (const t of grid) {
    const existing = target.get(t);
    if (existing !== undefined) {
      out.set(t, existing);
      continue;
    }
    if (how.kind === 'keyword') {
      const before = known.filter((k) => k < t).at(-1);
      const after = known.find((k) => k > t);
      if (how.name === 'REPEAT') {
        const source = before ?? after;
        if (source !== undefined) out.set(t, target.get(source)!);
      } else if (before !== undefined && after !== undefined) {
        const a = target.get(before)!;
        const b = target.get(after)!;
        out.set(t, a + ((b - a) * (t - before)) / (after - before));
      }
    } else if (typeof value === 'number') {
      out.set(t, value);
    } else {
      throw new ExpressionError('FILL takes a number, REPEAT or LINEAR as its second argument');
    }
  }
  return out;
}

export function evaluate(node: ExprNode, ctx: EvaluationContext): ExprValue {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'ref':
      return ctx.resolve(node.id);
    case 'keyword':
      throw new ExpressionError(`${node.name} can only be the second argument of FILL`);
    case 'negate':
      return applyBinary('*', evaluate(node.arg, ctx), -1);
    case 'binary':
      return applyBinary(node.op, evaluate(node.left, ctx), evaluate(node.right, ctx));
    case 'list':
      return node.items.flatMap((item) => {
        const value = evaluate(item, ctx);
        if (typeof value === 'number') throw new ExpressionError('A list can only contain time series');
        return Array.isArray(value) ? value : [value];
      });
    case 'call':
      return call(node, ctx);
  }
}

function call(node: Extract<ExprNode, { kind: 'call' }>, ctx: EvaluationContext): ExprValue {
  const arity = (min: number, max: number): void => {
    if (node.args.length < min || node.args.length > max) throw new ExpressionError(`${node.name} takes ${min === max ? min : `${min} to ${max}`} argument(s)`);
  };
  switch (node.name) {
    case 'METRICS':
      arity(0, 0);
      return ctx.metrics();
    case 'FILL': {
      arity(2, 2);
      const how = node.args[1]!;
      return fill(evaluate(node.args[0]!, ctx), how, how.kind === 'keyword' ? undefined : evaluate(how, ctx), ctx.grid);
    }
    case 'ABS':
    case 'CEIL':
    case 'FLOOR': {
      arity(1, 1);
      const f = node.name === 'ABS' ? Math.abs : node.name === 'CEIL' ? Math.ceil : Math.floor;
      const value = evaluate(node.args[0]!, ctx);
      if (typeof value === 'number') return f(value);
      return Array.isArray(value) ? value.map((s) => mapValues(s, f)) : mapValues(value, f);
    }
    default:
      if (node.args.length === 0) throw new ExpressionError(`${node.name} needs at least one argument`);
      return aggregate(node.name, node.args.map((arg) => evaluate(arg, ctx)));
  }
}
