/**
 * How many documents a YAML (or JSON) text holds and how deeply it nests, found in one linear pass over its
 * characters before the YAML parser sees it. The parser cannot be asked: its time and memory grow much faster with
 * nesting than with size (half a megabyte of "[" exhausts a 512 MB heap, and a few thousand levels of "- " abort
 * V8), so a text that nests too deeply must be turned away without it.
 *
 * The pass over-estimates, never under-estimates: it skips only what YAML cannot nest in (comments, quoted scalars,
 * block scalars), and counts a level wherever one may open. For ordinary manifests it is exact.
 */

export interface StructureLimits {
  maxDocuments: number;
  maxDepth: number;
}

export type StructureVerdict =
  | { ok: true; documents: number; depth: number }
  /** `offset` is where the limit was crossed: the document marker, or the first character at the excess depth. */
  | { ok: false; limit: 'documents' | 'depth'; offset: number };

/** A block collection open at a column: a sequence ("- " entries) or a mapping (keys, "? " and ": " entries). */
interface Level {
  col: number;
  seq: boolean;
}

const DOCUMENT_MARKER = /^(---|\.\.\.)(?=[ \t]|$)/;

const isBlank = (ch: string | undefined) => ch === ' ' || ch === '\t';
const endsToken = (ch: string | undefined) => ch === undefined || isBlank(ch);

/** Column of the first character after spaces and tabs from `col`. */
function skipBlanks(line: string, col: number): number {
  let i = col;
  while (isBlank(line[i])) i++;
  return i;
}

class Scanner {
  documents = 0;
  depth = 0;
  crossed: 'documents' | 'depth' | undefined;
  private documentOpen = false;
  private readonly levels: Level[] = [];
  private flow = 0;
  private quote: '"' | "'" | undefined;
  /** Inside a block scalar: lines indented at least `indent` (found from its first line when undefined) are text. */
  private blockScalar: { owner: number; indent: number | undefined } | undefined;
  private lineStart = 0;

  constructor(private readonly limits: StructureLimits) {}

  /** Offset of the first limit crossed on this line, if one was. */
  line(line: string, lineStart: number): number | undefined {
    this.lineStart = lineStart;
    const marker = DOCUMENT_MARKER.exec(line);
    if (marker) {
      // A marker ends whatever was open, even a quoted scalar the parser would reject.
      this.quote = undefined;
      this.blockScalar = undefined;
      this.flow = 0;
      this.levels.length = 0;
      if (marker[1] === '---') return this.startDocument(lineStart) ?? this.content(line, 3, true);
      this.documentOpen = false;
      return undefined;
    }
    if (this.blockScalar && this.insideBlockScalar(line)) return undefined;
    if (this.quote !== undefined || this.flow > 0) return this.content(line, 0, false);
    const indent = skipBlanks(line, 0);
    const first = line[indent];
    if (first === undefined || first === '#' || (first === '%' && !this.documentOpen)) return undefined;
    if (!this.documentOpen) {
      const crossed = this.startDocument(lineStart);
      if (crossed !== undefined) return crossed;
    }
    return this.blockLine(line, indent);
  }

  private startDocument(offset: number): number | undefined {
    this.documents++;
    this.documentOpen = true;
    if (this.documents <= this.limits.maxDocuments) return undefined;
    this.crossed = 'documents';
    return offset;
  }

  private insideBlockScalar(line: string): boolean {
    const scalar = this.blockScalar;
    if (!scalar) return false;
    const indent = line.length - line.trimStart().length;
    if (line.trim() === '') return true;
    scalar.indent ??= indent > scalar.owner ? indent : Number.POSITIVE_INFINITY;
    if (indent >= scalar.indent) return true;
    this.blockScalar = undefined;
    return false;
  }

  /** A line in block context: closes the levels it is outdented from, then opens the ones it starts. */
  private blockLine(line: string, indent: number): number | undefined {
    while ((this.levels.at(-1)?.col ?? -1) > indent) this.levels.pop();
    const top = this.levels.at(-1);
    const startsEntry = (col: number) => /[-?:]/.test(line[col] ?? '') && endsToken(line[col + 1]);
    // An indentless sequence ("key:" then "- item" at the key's column) ends at the first line that is not an item.
    if (top && top.col === indent && top.seq && !(line[indent] === '-' && startsEntry(indent))) this.levels.pop();

    const opened: Level[] = [];
    let col = indent;
    while (startsEntry(col)) {
      opened.push({ col, seq: line[col] === '-' });
      col = skipBlanks(line, col + 1);
    }
    const scan = this.scanNode(line, col, col);
    if (scan.mapping) opened.push({ col, seq: false });
    opened.forEach((level, i) => {
      const parent = this.levels.at(-1);
      // The first collection on a line at its parent's column and of its kind is that collection's next entry.
      if (i === 0 && parent && parent.col === level.col && parent.seq === level.seq) return;
      this.levels.push(level);
    });
    // Lines before this one were within the limit, so a level past it was opened here: point at its entry.
    const firstTooDeep = this.levels[this.limits.maxDepth];
    return this.checkDepth(this.levels.length + scan.maxFlow, firstTooDeep?.col ?? scan.deepestCol ?? col);
  }

  /** A line continuing a quoted scalar or a flow collection. */
  private content(line: string, from: number, afterMarker: boolean): number | undefined {
    const scan = this.scanNode(line, from, afterMarker ? skipBlanks(line, from) : from);
    return this.checkDepth(this.levels.length + scan.maxFlow, scan.deepestCol ?? from);
  }

  private checkDepth(lineDepth: number, col: number): number | undefined {
    if (lineDepth > this.depth) this.depth = lineDepth;
    if (lineDepth <= this.limits.maxDepth) return undefined;
    this.crossed = 'depth';
    return this.lineStart + col;
  }

  /**
   * Scans one line from `from`: quoted scalars, flow brackets, comments, a block scalar's indicator, and whether a
   * block mapping key (": ") follows. `owner` is the column of the node a block scalar here would belong to.
   * Returns the deepest flow nesting reached (counting what was open before) and where.
   */
  private scanNode(line: string, from: number, owner: number): { mapping: boolean; maxFlow: number; deepestCol: number | undefined } {
    let mapping = false;
    let maxFlow = this.flow;
    let deepestCol: number | undefined;
    let atNodeStart = this.quote === undefined;
    let i = from;
    if (this.quote !== undefined) {
      i = this.skipQuote(line, i);
      if (this.quote !== undefined) return { mapping, maxFlow, deepestCol };
    }
    while (i < line.length) {
      const ch = line[i] ?? '';
      if (isBlank(ch)) {
        i++;
        continue;
      }
      if (ch === '#' && (i === 0 || isBlank(line[i - 1]))) break;
      if (atNodeStart && (ch === '&' || ch === '!')) {
        while (i < line.length && !isBlank(line[i])) i++;
        continue;
      }
      if (atNodeStart && (ch === '"' || ch === "'")) {
        this.quote = ch;
        i = this.skipQuote(line, i + 1);
        // A quoted scalar left open may turn out to be a key: count the mapping it would open.
        if (this.quote !== undefined) return { mapping: mapping || this.flow === 0, maxFlow, deepestCol };
        atNodeStart = false;
        continue;
      }
      if (atNodeStart && this.flow === 0 && (ch === '|' || ch === '>')) {
        const explicit = /^[|>][+-]?([1-9])?/.exec(line.slice(i, i + 3))?.[1];
        this.blockScalar = { owner, indent: explicit === undefined ? undefined : owner + Number(explicit) };
        return { mapping, maxFlow, deepestCol };
      }
      if ((ch === '[' || ch === '{') && (atNodeStart || this.flow > 0)) {
        this.flow++;
        if (this.flow > maxFlow) {
          maxFlow = this.flow;
          deepestCol = i;
        }
        atNodeStart = true;
      } else if (this.flow > 0) {
        if (ch === ']' || ch === '}') this.flow--;
        atNodeStart = ch === ',' || ch === ':';
      } else if (ch === ':' && endsToken(line[i + 1])) {
        mapping = true;
        atNodeStart = true;
      } else {
        atNodeStart = false;
      }
      i++;
    }
    return { mapping, maxFlow, deepestCol };
  }

  /** Skips a quoted scalar's text from `from`; clears `quote` at its closing quote, returning the column after it. */
  private skipQuote(line: string, from: number): number {
    const quote = this.quote;
    for (let i = from; i < line.length; i++) {
      const ch = line[i];
      if (quote === '"' && ch === '\\') i++;
      else if (ch === quote) {
        if (quote === "'" && line[i + 1] === "'") i++;
        else {
          this.quote = undefined;
          return i + 1;
        }
      }
    }
    return line.length;
  }
}

/** Counts documents and bounds nesting, stopping at the first limit crossed. Linear in the text's length. */
export function checkStructure(text: string, limits: StructureLimits): StructureVerdict {
  const scanner = new Scanner(limits);
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    const offset = scanner.line(line, start);
    if (offset !== undefined && scanner.crossed) return { ok: false, limit: scanner.crossed, offset };
    if (newline === -1) break;
    start = newline + 1;
  }
  return { ok: true, documents: scanner.documents, depth: scanner.depth };
}
