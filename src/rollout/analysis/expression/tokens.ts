/**
 * The tokenizer of the condition language. Every token keeps its offset in the source, so parse and evaluation
 * errors can point at the exact spot in a template's successCondition / failureCondition.
 */

export type TokenKind = 'number' | 'string' | 'identifier' | 'operator' | 'punctuation' | 'end';

export interface Token {
  kind: TokenKind;
  /** The operator or punctuation text, the identifier name, or the decoded string literal. */
  text: string;
  /** Set on number tokens. */
  value?: number;
  /** Offset of the token's first character in the source. */
  offset: number;
}

/** Longest operators first, so `<=` is never read as `<` followed by `=`. */
const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!'] as const;
const PUNCTUATION = new Set(['(', ')', '[', ']', '.', ',', '{', '}', '#']);
const ESCAPES = new Map([
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
  ['\\', '\\'],
  ['"', '"'],
  ["'", "'"],
]);

/** Conditions are one-liners; the cap keeps a hostile template from costing more than a parse of 4 KiB. */
export const MAX_EXPRESSION_LENGTH = 4096;

/** A parse or evaluation error, with the offending offset and a `line:column` in its message. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly offset: number,
  ) {
    const { line, column } = lineAndColumn(source, offset);
    super(`${message} at ${line}:${column}`);
    this.name = 'ExpressionError';
  }
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isIdentifierStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentifierPart = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

export function tokenize(source: string): Token[] {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression is ${source.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`, source, MAX_EXPRESSION_LENGTH);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (isDigit(c) || (c === '.' && isDigit(source[i + 1]))) {
      i = readNumber(source, i, tokens);
    } else if (c === '"' || c === "'") {
      i = readString(source, i, tokens);
    } else if (isIdentifierStart(c)) {
      const start = i;
      while (isIdentifierPart(source[i])) i += 1;
      tokens.push({ kind: 'identifier', text: source.slice(start, i), offset: start });
    } else {
      const operator = OPERATORS.find((op) => source.startsWith(op, i));
      if (operator) {
        tokens.push({ kind: 'operator', text: operator, offset: i });
        i += operator.length;
      } else if (PUNCTUATION.has(c)) {
        tokens.push({ kind: 'punctuation', text: c, offset: i });
        i += 1;
      } else {
        throw new ExpressionError(`unexpected character ${JSON.stringify(c)}`, source, i);
      }
    }
  }
  tokens.push({ kind: 'end', text: '', offset: source.length });
  return tokens;
}

function readNumber(source: string, start: number, tokens: Token[]): number {
  const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(start))!;
  const end = start + match[0].length;
  if (isIdentifierStart(source[end])) throw new ExpressionError(`invalid number "${match[0]}${source[end]}"`, source, start);
  tokens.push({ kind: 'number', text: match[0], value: Number(match[0]), offset: start });
  return end;
}

function readString(source: string, start: number, tokens: Token[]): number {
  const quote = source[start]!;
  let text = '';
  let i = start + 1;
  while (i < source.length && source[i] !== quote) {
    if (source[i] === '\\') {
      const escaped = ESCAPES.get(source[i + 1] ?? '');
      if (escaped === undefined) throw new ExpressionError(`unknown escape "\\${source[i + 1] ?? ''}" in string`, source, i);
      text += escaped;
      i += 2;
    } else {
      text += source[i];
      i += 1;
    }
  }
  if (i >= source.length) throw new ExpressionError('unterminated string', source, start);
  tokens.push({ kind: 'string', text, offset: start });
  return i + 1;
}
