/**
 * A text's concrete syntax tree, built by the YAML library's own lexer and parser, stopped at the first document or
 * nesting level past the limits, before any document is composed. The library's time and memory grow much faster
 * with nesting than with size (half a megabyte of "[" exhausts a 512 MB heap; a few thousand levels of "- " abort
 * V8 outright), so nesting must be bounded while the tree is built, not measured afterwards. The parser keeps the
 * open nodes on an explicit stack: its height is the nesting it has reached, however the text is malformed.
 */
import { Lexer, Parser } from 'yaml';
import type { CST } from 'yaml';

export interface StructureLimits {
  maxDocuments: number;
  maxDepth: number;
}

export type StructureVerdict =
  | { ok: true; tokens: CST.Token[] }
  /** `offset` is where the limit was crossed: the document's start, or the node opened too deep. */
  | { ok: false; limit: 'documents' | 'depth'; offset: number };

/**
 * The parser's stack holds the document and, while a scalar is read, the scalar: a plain mapping's stack is 3 high.
 * Composing can nest deeper than the stack (`[a: b]` is a mapping in a sequence), by at most one level per flow
 * sequence, so the exact depth is checked again on the parsed value; this bound only keeps the parser safe.
 */
const STACK_OVERHEAD = 2;

/** Tokens of every document in `text`, or the first limit crossed. `onNewLine` is a LineCounter's `addNewLine`. */
export function parseStructure(text: string, limits: StructureLimits, onNewLine?: (offset: number) => void): StructureVerdict {
  // What Parser.parse does before its own loop over the lexer, which this one replaces to watch the stack.
  onNewLine?.(0);
  const parser = new Parser(onNewLine);
  const tokens: CST.Token[] = [];
  let documents = 0;
  const take = (token: CST.Token): StructureVerdict | undefined => {
    tokens.push(token);
    if (token.type !== 'document' || ++documents <= limits.maxDocuments) return undefined;
    return { ok: false, limit: 'documents', offset: token.offset };
  };
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) {
      const crossed = take(token);
      if (crossed) return crossed;
    }
    if (parser.stack.length - STACK_OVERHEAD > limits.maxDepth) {
      return { ok: false, limit: 'depth', offset: parser.stack[parser.stack.length - 1]?.offset ?? 0 };
    }
  }
  for (const token of parser.end()) {
    const crossed = take(token);
    if (crossed) return crossed;
  }
  return { ok: true, tokens };
}
