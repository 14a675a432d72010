/**
 * A Pratt parser for the condition language (see docs/analysis.md for the grammar). It only builds a tree of plain
 * nodes: names are resolved here (only `result`, `#` and the built-in functions exist), so a condition that parses
 * cannot reach anything but its input.
 */
import { ExpressionError, tokenize, type Token } from './tokens.js';

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=';
export type LogicalOperator = '&&' | '||';
export type FunctionName = keyof typeof FUNCTION_ARITY;

export type ExprNode =
  | { type: 'literal'; value: number | string | boolean | null; offset: number }
  | { type: 'result'; offset: number }
  | { type: 'element'; offset: number }
  | { type: 'unary'; operator: '!' | '-' | '+'; operand: ExprNode; offset: number }
  | { type: 'binary'; operator: BinaryOperator; left: ExprNode; right: ExprNode; offset: number }
  | { type: 'logical'; operator: LogicalOperator; left: ExprNode; right: ExprNode; offset: number }
  | { type: 'member'; object: ExprNode; name: string; offset: number }
  | { type: 'index'; object: ExprNode; index: ExprNode; offset: number }
  | { type: 'call'; name: FunctionName; args: ExprNode[]; offset: number }
  | { type: 'predicate'; body: ExprNode; offset: number };

/** A parsed condition: the source is kept so evaluation errors can point into it. */
export interface Expression {
  source: string;
  root: ExprNode;
}

/** [min, max] arguments of each built-in; all() and any() take an optional `{ predicate }` second. */
export const FUNCTION_ARITY = {
  len: [1, 1],
  abs: [1, 1],
  isNaN: [1, 1],
  min: [1, Infinity],
  max: [1, Infinity],
  default: [2, 2],
  all: [1, 2],
  any: [1, 2],
} as const satisfies Record<string, readonly [number, number]>;

const PREDICATE_FUNCTIONS = new Set<FunctionName>(['all', 'any']);

/** Binding powers: higher binds tighter. Postfix access and calls bind tighter than any of these. */
const INFIX_POWER: Record<string, number> = {
  '||': 10,
  '&&': 20,
  '==': 30,
  '!=': 30,
  '<': 40,
  '<=': 40,
  '>': 40,
  '>=': 40,
  '+': 50,
  '-': 50,
  '*': 60,
  '/': 60,
  '%': 60,
};
const PREFIX_POWER = 70;
const WORD_OPERATORS: Record<string, string> = { and: '&&', or: '||', not: '!' };
const KEYWORD_LITERALS = new Map<string, boolean | null>([
  ['true', true],
  ['false', false],
  ['null', null],
  ['nil', null],
]);

/** Deep enough for any real condition, shallow enough that a hostile `((((...` cannot exhaust the stack. */
export const MAX_NESTING = 64;

export function parseExpression(source: string): Expression {
  const parser = new Parser(source, tokenize(source));
  const root = parser.parseAll();
  return { source, root };
}

class Parser {
  private position = 0;
  private depth = 0;
  private predicateDepth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parseAll(): ExprNode {
    if (this.peek().kind === 'end') throw this.error('empty expression', this.peek());
    const root = this.parse(0);
    const rest = this.peek();
    if (rest.kind !== 'end') throw this.error(`unexpected ${describe(rest)}`, rest);
    return root;
  }

  private parse(minPower: number): ExprNode {
    this.depth += 1;
    if (this.depth > MAX_NESTING) throw this.error(`expression nests deeper than ${MAX_NESTING} levels`, this.peek());
    let left = this.parsePrefix();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'punctuation' && token.text === '.') {
        left = this.parseMember(left);
        continue;
      }
      if (token.kind === 'punctuation' && token.text === '[') {
        this.next();
        const index = this.parse(0);
        this.expect(']');
        left = { type: 'index', object: left, index, offset: token.offset };
        continue;
      }
      const operator = infixOperator(token);
      const power = operator === undefined ? undefined : INFIX_POWER[operator];
      if (operator === undefined || power === undefined || power <= minPower) break;
      this.next();
      const right = this.parse(power);
      left =
        operator === '&&' || operator === '||'
          ? { type: 'logical', operator, left, right, offset: token.offset }
          : { type: 'binary', operator: operator as BinaryOperator, left, right, offset: token.offset };
    }
    this.depth -= 1;
    return left;
  }

  private parsePrefix(): ExprNode {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { type: 'literal', value: token.value!, offset: token.offset };
      case 'string':
        return { type: 'literal', value: token.text, offset: token.offset };
      case 'identifier':
        return this.parseIdentifier(token);
      case 'operator':
        if (token.text === '!' || token.text === '-' || token.text === '+') {
          return { type: 'unary', operator: token.text, operand: this.parse(PREFIX_POWER), offset: token.offset };
        }
        break;
      case 'punctuation':
        if (token.text === '(') {
          const inner = this.parse(0);
          this.expect(')');
          return inner;
        }
        if (token.text === '#') {
          if (this.predicateDepth === 0) throw this.error('"#" (the current element) is only valid inside an all()/any() predicate { ... }', token);
          return { type: 'element', offset: token.offset };
        }
        break;
      case 'end':
        throw this.error('unexpected end of expression', token);
    }
    throw this.error(`unexpected ${describe(token)}`, token);
  }

  private parseIdentifier(token: Token): ExprNode {
    const name = token.text;
    if (KEYWORD_LITERALS.has(name)) return { type: 'literal', value: KEYWORD_LITERALS.get(name)!, offset: token.offset };
    if (name === 'result') return { type: 'result', offset: token.offset };
    if (name === 'and' || name === 'or') throw this.error(`"${name}" needs an operand on its left`, token);
    if (name === 'not') return { type: 'unary', operator: '!', operand: this.parse(PREFIX_POWER), offset: token.offset };
    if (Object.hasOwn(FUNCTION_ARITY, name)) return this.parseCall(name as FunctionName, token);
    throw this.error(`unknown name "${name}": use result, true, false, null or a function (${Object.keys(FUNCTION_ARITY).join(', ')})`, token);
  }

  private parseCall(name: FunctionName, token: Token): ExprNode {
    this.expect('(', `"${name}" is a function: call it as ${name}(...)`);
    const args: ExprNode[] = [];
    if (!this.atPunctuation(')')) {
      do {
        args.push(this.atPunctuation('{') ? this.parsePredicate(name, args.length) : this.parse(0));
      } while (this.accept(','));
    }
    this.expect(')');
    const [min, max] = FUNCTION_ARITY[name];
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw this.error(`${name}() takes ${expected} argument${min === 1 && max === 1 ? '' : 's'}, got ${args.length}`, token);
    }
    return { type: 'call', name, args, offset: token.offset };
  }

  private parsePredicate(name: FunctionName, position: number): ExprNode {
    const open = this.next();
    if (!PREDICATE_FUNCTIONS.has(name) || position !== 1) {
      throw this.error('a predicate { ... } is only valid as the second argument of all() or any()', open);
    }
    this.predicateDepth += 1;
    const body = this.parse(0);
    this.predicateDepth -= 1;
    this.expect('}');
    return { type: 'predicate', body, offset: open.offset };
  }

  private parseMember(object: ExprNode): ExprNode {
    const dot = this.next();
    const name = this.next();
    if (name.kind !== 'identifier') throw this.error(`expected a field name after ".", got ${describe(name)}`, name);
    return { type: 'member', object, name: name.text, offset: dot.offset };
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const token = this.tokens[this.position]!;
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private atPunctuation(text: string): boolean {
    const token = this.peek();
    return token.kind === 'punctuation' && token.text === text;
  }

  private accept(text: string): boolean {
    if (!this.atPunctuation(text)) return false;
    this.next();
    return true;
  }

  private expect(text: string, hint?: string): void {
    const token = this.peek();
    if (!this.accept(text)) throw this.error(hint ?? `expected "${text}", got ${describe(token)}`, token);
  }

  private error(message: string, token: Token): ExpressionError {
    return new ExpressionError(message, this.source, token.offset);
  }
}

function infixOperator(token: Token): string | undefined {
  if (token.kind === 'operator') return token.text;
  if (token.kind === 'identifier' && (token.text === 'and' || token.text === 'or')) return WORD_OPERATORS[token.text];
  return undefined;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of expression';
    case 'string':
      return `string ${JSON.stringify(token.text)}`;
    case 'number':
      return `number ${token.text}`;
    default:
      return `"${token.text}"`;
  }
}
