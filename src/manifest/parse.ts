/**
 * One file's text -> its manifest documents, schema-validated, with every problem placed at file:line:col.
 * Pure: no file system access. The `yaml` package parses both YAML and JSON and keeps node offsets, so each zod
 * issue path maps back to the node it names (or the nearest ancestor that exists).
 */
import { Composer, LineCounter, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import { z } from 'zod';
import { closestMatch, didYouMean, formatPath, placeFinding } from './diagnostics.js';
import type { Diagnostic, Finding, PathSegment, SourceLocation } from './diagnostics.js';
import { DEFAULT_INPUT_LIMITS, limitSettingName } from './limits.js';
import type { InputLimits } from './limits.js';
import { analysisTemplateManifestSchema, notificationManifestSchema, serviceManifestSchema } from './schema.js';
import type { Manifest } from './schema.js';
import { parseStructure } from './structure.js';

export interface ParsedDocument {
  file: string;
  /** The untyped value as parsed, for rules that must work even when the schema rejected the document. */
  raw: unknown;
  /** Set when the document passed the schema. */
  manifest?: Manifest;
  /** Where the document starts. */
  source: SourceLocation;
  /** Where a field path inside this document is written, or its nearest written ancestor. */
  locate(path: readonly PathSegment[]): SourceLocation;
}

export interface ParsedFile {
  file: string;
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
}

const SCHEMA_BY_KIND = {
  Service: serviceManifestSchema,
  AnalysisTemplate: analysisTemplateManifestSchema,
  Notification: notificationManifestSchema,
} as const;
const KINDS = Object.keys(SCHEMA_BY_KIND);
const KIND_LIST = `${KINDS.slice(0, -1).join(', ')} or ${KINDS.at(-1) ?? ''}`;

function isKind(value: unknown): value is keyof typeof SCHEMA_BY_KIND {
  return typeof value === 'string' && Object.hasOwn(SCHEMA_BY_KIND, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The offset of the node a path names: a map entry's key, a sequence item, or the deepest ancestor that exists. */
function offsetOf(root: Node | null, path: readonly PathSegment[]): number {
  let node: unknown = root;
  let offset = root?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair || !isScalar(pair.key)) break;
      offset = pair.key.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (!isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/** zod paths may hold symbols in theory; manifests parsed from YAML/JSON never have symbol keys. */
function toSegments(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
}

function pathKey(path: readonly PropertyKey[]): string {
  return JSON.stringify(toSegments(path));
}

/** A schema finding; `meant` is the field an unknown key most likely stands for. */
type SchemaFinding = Finding & { meant?: string };

/** CreateService fields that the manifest expresses elsewhere, for users pasting AWS JSON. */
const MOVED_FIELDS: Readonly<Record<string, string>> = {
  serviceName: 'the service name is metadata.name',
  loadBalancers: 'use loadBalancer: {containerName, containerPort, targetGroup}',
  deploymentConfiguration: 'use rollout: strategy Rolling with rolling: {...}, or strategy Native',
  deploymentController: 'the deployment controller follows rollout.strategy',
};

/** The literal values an enum, literal or discriminated-union issue would have accepted. */
function allowedValues(issue: z.core.$ZodIssue): string[] {
  const values: unknown[] =
    issue.code === 'invalid_value' ? issue.values : 'options' in issue && Array.isArray(issue.options) ? issue.options : [];
  return values.filter((v): v is string => typeof v === 'string');
}

/** A zod issue as diagnostics: one per unknown key, required-field and enum messages rewritten with hints. */
function issueFindings(issue: z.core.$ZodIssue, value: unknown, knownKeysAt: Map<string, string[]>): SchemaFinding[] {
  const path = toSegments(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const at = [...path, key];
      const finding: SchemaFinding = { at, severity: 'error', code: 'unknown-field', message: `unknown field "${key}"` };
      const moved = MOVED_FIELDS[key];
      if (moved !== undefined) return { ...finding, hint: moved };
      const meant = closestMatch(key, knownKeysAt.get(pathKey(issue.path)) ?? []);
      return meant === undefined ? finding : { ...finding, meant, hint: `did you mean "${meant}"?` };
    });
  }
  const actual = valueAt(value, path);
  const base = { at: path, severity: 'error' as const, code: 'schema' };
  if (issue.code === 'invalid_type' && actual === undefined) {
    return [{ ...base, code: 'required', message: `missing required field "${String(path[path.length - 1])}"` }];
  }
  const candidates = allowedValues(issue);
  const hint = typeof actual === 'string' ? didYouMean(actual, candidates) : undefined;
  return [{ ...base, message: issue.message, ...(hint && { hint }) }];
}

/** Schema-checks one manifest value; returns findings with paths relative to the manifest. */
function validateManifest(value: unknown): { manifest?: Manifest; findings: SchemaFinding[] } {
  if (!isPlainObject(value)) {
    return { findings: [{ at: [], severity: 'error', code: 'schema', message: 'expected a manifest: a mapping with apiVersion, kind, metadata and spec' }] };
  }
  const kind = value.kind;
  if (!isKind(kind)) {
    const hint = typeof kind === 'string' ? didYouMean(kind, KINDS) : undefined;
    const message = kind === undefined ? `missing required field "kind" (${KIND_LIST})` : `unknown kind ${JSON.stringify(kind)}: expected ${KIND_LIST}`;
    return { findings: [{ at: ['kind'], severity: 'error', code: kind === undefined ? 'required' : 'unknown-kind', message, ...(hint && { hint }) }] };
  }
  // zod formats messages after the whole parse, with the full path and the object schema at hand: the one moment
  // an unknown key's legal siblings are known, so they are recorded here for the "did you mean" hint.
  const knownKeysAt = new Map<string, string[]>();
  const result = SCHEMA_BY_KIND[kind].safeParse(value, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys' && issue.inst instanceof z.ZodObject) {
        knownKeysAt.set(pathKey(issue.path ?? []), Object.keys(issue.inst.shape));
      }
      return undefined;
    },
  });
  if (result.success) return { manifest: result.data, findings: [] };
  return { findings: withoutTypoEchoes(result.error.issues.flatMap((issue) => issueFindings(issue, value, knownKeysAt))) };
}

/**
 * A misspelt required field shows up twice: as an unknown field and as the missing one it was meant to be.
 * Keep only the unknown-field finding, whose hint already names the right spelling.
 */
function withoutTypoEchoes(findings: SchemaFinding[]): SchemaFinding[] {
  const meant = new Set(findings.flatMap((f) => (f.meant === undefined ? [] : [pathKey([...f.at.slice(0, -1), f.meant])])));
  return findings.filter((f) => f.code !== 'required' || !meant.has(pathKey(f.at)));
}

/**
 * C0 and C1 control characters and DEL: never meant in a manifest, and passed on verbatim to AWS (a NUL in an image
 * name reached RegisterTaskDefinition). Tab and line feed are the exception, and only in free text (below).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const TAB_OR_LINE_FEED = /[\t\n]/;
/** Fields whose strings are free text, where a multi-line shell script, query or label is legitimate. */
const FREE_TEXT_FIELDS = new Set(['command', 'entryPoint', 'dockerLabels', 'annotations', 'metrics']);

/** Whether a string at this path may hold tabs and line feeds: free text, and environment values. */
function isFreeText(path: readonly PathSegment[]): boolean {
  const field = path[path.length - 1];
  if (field === 'name') return false;
  return path.some((segment) => typeof segment === 'string' && FREE_TEXT_FIELDS.has(segment)) || (path.includes('environment') && field === 'value');
}

function describeCharacter(text: string): string {
  const code = text.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Findings from one walk over every value of a document, with a budget on how many values aliases may expand to. */
interface ValueWalk {
  findings: Finding[];
  /** Values left before the file counts as an alias bomb; shared with the file's other documents. */
  budget: number;
  maxDepth: number;
  /** The first collection nested deeper than `maxDepth`. */
  tooDeep?: PathSegment[];
}

const MAX_CHARACTER_FINDINGS = 10;

/** Walks a converted document: control characters in keys and strings, and the count of values aliases expand to. */
function walkValue(value: unknown, path: PathSegment[], walk: ValueWalk, depth = 1): void {
  walk.budget--;
  if (walk.budget < 0 || walk.tooDeep) return;
  if (depth > walk.maxDepth && value !== null && typeof value === 'object') {
    walk.tooDeep = path;
    return;
  }
  const checkString = (text: string, at: PathSegment[], what: string) => {
    const bad = CONTROL_CHARACTER.exec(text) ?? (isFreeText(at) ? null : TAB_OR_LINE_FEED.exec(text));
    if (bad && walk.findings.length < MAX_CHARACTER_FINDINGS) {
      const hint = TAB_OR_LINE_FEED.test(bad[0]) ? 'tabs and line breaks are only allowed in command, entryPoint, environment values, dockerLabels, annotations and analysis metrics' : undefined;
      walk.findings.push({ at: [...at], severity: 'error', code: 'control-character', message: `${what} holds the control character ${describeCharacter(bad[0])} at position ${bad.index + 1}`, ...(hint && { hint }) });
    }
  };
  if (typeof value === 'string') checkString(value, path, 'the string');
  else if (Array.isArray(value)) value.forEach((item, index) => walkValue(item, [...path, index], walk, depth + 1));
  else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkString(key, [...path, key], 'the key');
      walkValue(item, [...path, key], walk, depth + 1);
    }
  }
}

/**
 * Parses every document of one file (YAML with `---` separators, or JSON). A top-level list holds one manifest
 * per item. Empty documents are skipped. A document with a syntax error yields that error and nothing else, since
 * anything after the first syntax error is usually a consequence of it. A file past the document or nesting limit
 * is rejected while it is parsed, before any of its documents is built.
 */
export function parseManifestFile(file: string, text: string, limits: Pick<InputLimits, 'maxDocuments' | 'maxDepth'> = DEFAULT_INPUT_LIMITS): ParsedFile {
  const lineCounter = new LineCounter();
  const where = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const tooDeep = `nested more than ${limits.maxDepth} levels deep: the file is not read (raise with ${limitSettingName('maxDepth')})`;
  const structure = parseStructure(text, limits, lineCounter.addNewLine);
  if (!structure.ok) {
    const documentsMessage = `more than ${limits.maxDocuments} documents in one file: split the file, or raise the limit with ${limitSettingName('maxDocuments')}`;
    const [code, message] = structure.limit === 'documents' ? ['too-many-documents', documentsMessage] : ['too-deep', tooDeep];
    return { file, documents: [], diagnostics: [{ ...where(structure.offset), severity: 'error', code, path: '', message }] };
  }
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  // Without aliases a file cannot hold more values than characters; aliases may repeat a few small blocks.
  const walk: ValueWalk = { findings: [], budget: text.length + 10_000, maxDepth: limits.maxDepth };
  let manifests = 0;

  for (const doc of new Composer().compose(structure.tokens)) {
    const syntaxError = doc.errors[0];
    if (syntaxError) {
      diagnostics.push({ ...where(syntaxError.pos[0]), severity: 'error', code: 'yaml-syntax', path: '', message: `invalid YAML: ${syntaxError.message}` });
      continue;
    }
    const root = doc.contents;
    let parsed: unknown;
    try {
      parsed = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // Unresolved aliases and alias bombs surface only when the document is converted.
      diagnostics.push({ ...where(root?.range?.[0] ?? 0), severity: 'error', code: 'yaml-syntax', path: '', message: `invalid YAML: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    if (parsed === null || parsed === undefined) continue;
    const entries: Array<{ prefix: PathSegment[]; value: unknown }> = Array.isArray(parsed)
      ? parsed.map((value, index) => ({ prefix: [index], value }))
      : [{ prefix: [], value: parsed }];
    manifests += entries.length;
    if (manifests > limits.maxDocuments) {
      const message = `more than ${limits.maxDocuments} manifests in one file: split the file, or raise the limit with ${limitSettingName('maxDocuments')}`;
      return { file, documents: [], diagnostics: [{ ...where(root?.range?.[0] ?? 0), severity: 'error', code: 'too-many-documents', path: '', message }] };
    }

    for (const { prefix, value } of entries) {
      const locate = (path: readonly PathSegment[]) => where(offsetOf(root, [...prefix, ...path]));
      walk.findings = [];
      // A manifest in a top-level list is one level deeper than the list.
      walkValue(value, [], walk, prefix.length + 1);
      if (walk.tooDeep) return { file, documents: [], diagnostics: [{ ...locate(walk.tooDeep), severity: 'error', code: 'too-deep', path: formatPath(walk.tooDeep), message: tooDeep }] };
      if (walk.budget < 0) {
        const message = 'YAML aliases expand to more values than the file holds characters: write the repeated values out, or repeat fewer of them';
        return { file, documents: [], diagnostics: [{ ...where(root?.range?.[0] ?? 0), severity: 'error', code: 'alias-expansion', path: '', message }] };
      }
      const { manifest, findings } = walk.findings.length > 0 ? { manifest: undefined, findings: walk.findings } : validateManifest(value);
      documents.push({ file, raw: value, source: locate([]), locate, ...(manifest && { manifest }) });
      for (const finding of findings) diagnostics.push(placeFinding(locate, finding));
    }
  }
  return { file, documents, diagnostics };
}
