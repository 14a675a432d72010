/**
 * Loads the desired state from a folder tree: every *.yaml, *.yml and *.json file (many documents per file),
 * skipping dotfiles and dot-folders (so `.git` and git-sync's `.worktrees`); or from one file, when given a file.
 * The folder is resolved once (realpath), so a git-sync symlink swapped mid-load cannot mix two revisions; a file
 * that vanishes while being read is an error for that file, never a crash.
 *
 * Nothing is read that the input limits turn away: every file's size is known from a stat before any file is read,
 * a folder over the total limit is not read at all, and a file over the file limit, or not valid UTF-8, is an
 * error of that file alone, as are the document, nesting and alias limits the parser enforces.
 *
 * A `ManifestLoader` keeps, per file, only what the snapshot and the cross-file rules need (manifests, positions,
 * diagnostics, hashes), never the YAML tree: an unchanged file is neither parsed nor validated again, and a file
 * being parsed is the only tree alive at a time.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { countBySeverity, sortDiagnostics } from './diagnostics.js';
import type { Diagnostic, PathSegment, SourceLocation } from './diagnostics.js';
import { clusterName, serviceKey } from './identity.js';
import { DEFAULT_INPUT_LIMITS, formatBytes, limitSettingName } from './limits.js';
import type { InputLimits } from './limits.js';
import { parseManifestFile } from './parse.js';
import type { ParsedDocument, ParsedFile } from './parse.js';
import { contentRevision, gitHeadCommit, worktreeCommit } from './revision.js';
import type { AnalysisTemplateManifest, NotificationManifest, ServiceManifest } from './schema.js';
import { checkAcrossDocuments, checkDocument, crossDocumentPaths, documentIdentity } from './semantics.js';
import type { DeclaredDocument } from './semantics.js';

export interface DesiredService {
  /** `cluster/name`, the work-queue key. */
  key: string;
  /** Cluster name (an ARN in the manifest is reduced to its name). */
  cluster: string;
  name: string;
  manifest: ServiceManifest;
  source: SourceLocation;
  /** sha256 of the manifest's stable JSON: equal hashes mean nothing in the manifest changed. */
  hash: string;
}

export interface DesiredAnalysisTemplate {
  name: string;
  manifest: AnalysisTemplateManifest;
  source: SourceLocation;
  hash: string;
}

export interface DesiredNotification {
  name: string;
  manifest: NotificationManifest;
  source: SourceLocation;
  hash: string;
}

export interface ManifestFileResult {
  /** Path relative to the root, with forward slashes. */
  file: string;
  /** False when the file has any error: it then contributes nothing, and a watcher should keep its last good state. */
  ok: boolean;
  /** What the file declares (when ok, these are in the snapshot). */
  serviceKeys: string[];
  analysisTemplates: string[];
  notifications: string[];
  diagnostics: Diagnostic[];
}

export interface DesiredStateSnapshot {
  /** git-sync worktree commit, else the git HEAD commit, else "sha256:<12 hex>" of the content. */
  revision: string;
  /** The resolved real path that was read. */
  root: string;
  /** False when the root, a folder or a file could not be read: the view is partial, so never prune from it. */
  complete: boolean;
  /** Services from files without errors, by `cluster/name`. */
  services: Map<string, DesiredService>;
  analysisTemplates: Map<string, DesiredAnalysisTemplate>;
  notifications: Map<string, DesiredNotification>;
  files: Map<string, ManifestFileResult>;
  /** Everything found, sorted by file and position. */
  diagnostics: Diagnostic[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function unreadable(file: string, err: unknown): Diagnostic {
  return { file, line: 1, col: 1, severity: 'error', code: 'unreadable', path: '', message: `cannot read: ${errorMessage(err)}` };
}

function fileError(file: string, code: string, message: string, at: { line: number; col: number } = { line: 1, col: 1 }): Diagnostic {
  return { file, ...at, severity: 'error', code, path: '', message };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a file, or where its first byte that is not UTF-8 is (a binary file, or another encoding). */
function decodeUtf8(bytes: Buffer): { text: string } | { line: number; col: number } {
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    const lossy = bytes.toString('utf8');
    const bad = lossy.indexOf('\uFFFD');
    const before = lossy.slice(0, Math.max(0, bad));
    const line = before.split('\n').length;
    return { line, col: before.length - before.lastIndexOf('\n') };
  }
}

/** Relative paths of manifest files under root, sorted; folders that cannot be read become diagnostics. */
async function listManifestFiles(root: string): Promise<{ files: string[]; unreadable: Diagnostic[] }> {
  const files: string[] = [];
  const unreadableDirs: Diagnostic[] = [];
  const walk = async (relDir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(root, relDir), { withFileTypes: true });
    } catch (err) {
      unreadableDirs.push(unreadable(relDir === '' ? '.' : relDir, err));
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith('.')) continue;
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else if ((entry.isFile() || entry.isSymbolicLink()) && MANIFEST_FILE.test(entry.name)) files.push(rel);
    }
  };
  await walk('');
  return { files, unreadable: unreadableDirs };
}

/** JSON with object keys sorted at every level, so equal manifests hash equally whatever their key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function manifestHash(manifest: unknown): string {
  return `sha256:${createHash('sha256').update(stableJson(manifest)).digest('hex')}`;
}

/** A document as kept between loads: no parse tree, only what the snapshot and the cross-file rules read. */
interface KeptDocument extends DeclaredDocument {
  source: SourceLocation;
  /** `manifestHash` of the manifest, when the schema accepted it. */
  hash?: string;
}

/** One file's outcome, valid for as long as its bytes hash to `contentHash`. */
export interface ProcessedFile {
  file: string;
  contentHash: string;
  documents: KeptDocument[];
  /** Syntax, schema and single-document rule findings; cross-file findings are recomputed on every load. */
  diagnostics: Diagnostic[];
}

const pathKey = (segments: readonly PathSegment[]) => JSON.stringify(segments);

/**
 * Looks paths up in positions found beforehand. A function of its own on purpose: a closure created where the
 * parsed document is in scope can share V8's context with another closure that reads the document, and would then
 * keep the document's whole YAML tree alive for as long as the loader keeps this file.
 */
function positionLookup(positions: ReadonlyMap<string, SourceLocation>, fallback: SourceLocation): (at: readonly PathSegment[]) => SourceLocation {
  return (at) => positions.get(pathKey(at)) ?? fallback;
}

/** A document reduced to the positions the cross-file rules may report at, so its parse tree can be dropped. */
function keepDocument(doc: ParsedDocument): KeptDocument {
  const positions = new Map(crossDocumentPaths(doc.manifest).map((at) => [pathKey(at), doc.locate(at)]));
  const { source, manifest } = doc;
  return {
    identity: documentIdentity(doc.raw),
    source,
    locate: positionLookup(positions, source),
    ...(manifest && { manifest, hash: manifestHash(manifest) }),
  };
}

/** What is kept of a parsed file, with its single-document rules run; its YAML tree is garbage once this returns. */
function processFile(parsed: ParsedFile, contentHash: string): ProcessedFile {
  return {
    file: parsed.file,
    contentHash,
    documents: parsed.documents.map(keepDocument),
    diagnostics: [...parsed.diagnostics, ...parsed.documents.flatMap(checkDocument)],
  };
}

function groupByFile(diagnostics: readonly Diagnostic[]): Map<string, Diagnostic[]> {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const list = byFile.get(d.file);
    if (list) list.push(d);
    else byFile.set(d.file, [d]);
  }
  return byFile;
}

/**
 * Builds the snapshot from processed files and the paths that could not be read: runs the cross-file rules, then
 * keeps what error-free files declare.
 */
export function assembleSnapshot(processed: readonly ProcessedFile[], context: { revision: string; root: string; unreadable: Diagnostic[] }): DesiredStateSnapshot {
  const crossFile = checkAcrossDocuments(processed.flatMap((f) => f.documents));
  const diagnostics = sortDiagnostics([...context.unreadable, ...processed.flatMap((f) => f.diagnostics), ...crossFile]);
  const diagnosticsByFile = groupByFile(diagnostics);
  const services = new Map<string, DesiredService>();
  const analysisTemplates = new Map<string, DesiredAnalysisTemplate>();
  const notifications = new Map<string, DesiredNotification>();
  const files = new Map<string, ManifestFileResult>();

  for (const { file, documents } of processed) {
    const fileDiagnostics = diagnosticsByFile.get(file) ?? [];
    const ok = countBySeverity(fileDiagnostics).errors === 0;
    const result: ManifestFileResult = { file, ok, serviceKeys: [], analysisTemplates: [], notifications: [], diagnostics: fileDiagnostics };
    for (const { identity, manifest, source, hash } of documents) {
      if (manifest === undefined || hash === undefined) {
        // A document the schema rejected still names what it leaves untouched, so apply and the controller can say so.
        if (identity?.kind === 'Service') result.serviceKeys.push(identity.key);
        else if (identity?.kind === 'AnalysisTemplate') result.analysisTemplates.push(identity.name);
        else if (identity?.kind === 'Notification') result.notifications.push(identity.name);
      } else if (manifest.kind === 'Service') {
        const key = serviceKey(manifest.spec.cluster, manifest.metadata.name);
        result.serviceKeys.push(key);
        if (ok) services.set(key, { key, cluster: clusterName(manifest.spec.cluster), name: manifest.metadata.name, manifest, source, hash });
      } else if (manifest.kind === 'AnalysisTemplate') {
        result.analysisTemplates.push(manifest.metadata.name);
        if (ok) analysisTemplates.set(manifest.metadata.name, { name: manifest.metadata.name, manifest, source, hash });
      } else {
        result.notifications.push(manifest.metadata.name);
        if (ok) notifications.set(manifest.metadata.name, { name: manifest.metadata.name, manifest, source, hash });
      }
    }
    files.set(file, result);
  }
  for (const d of context.unreadable) files.set(d.file, { file: d.file, ok: false, serviceKeys: [], analysisTemplates: [], notifications: [], diagnostics: [d] });
  const complete = context.unreadable.length === 0;
  return { revision: context.revision, root: context.root, complete, services, analysisTemplates, notifications, files, diagnostics };
}

/** What a stat said about a file whose bytes hashed to `contentHash`. */
interface StatSeen {
  size: number;
  mtimeMs: number;
  /** When the stat was taken: a file modified within the same mtime tick could change again unseen. */
  seenAtMs: number;
  contentHash: string;
}

/** How close to the stat an mtime must be for the stat to prove nothing (coarse file system clocks). */
const AMBIGUOUS_MTIME_MS = 2000;

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface ManifestLoaderOptions {
  /** Parses one file's text; injectable so tests can count what is parsed. */
  parse?: (file: string, text: string, limits: InputLimits) => ParsedFile;
  limits?: InputLimits;
  /** Milliseconds since the epoch, for judging whether an mtime is recent enough to be ambiguous. */
  now?: () => number;
}

type FileOutcome = { processed: ProcessedFile; seen?: StatSeen; absolute: string } | { error: Diagnostic };

/** A file's stat, or why it cannot be loaded. */
type Statted = { file: string; stats: Stats } | { file: string; error: Diagnostic };

/** What a load reads: a folder's manifest files, or the one file it was given. */
interface Listing {
  /** The folder file paths are relative to. */
  base: string;
  files: string[];
  unreadable: Diagnostic[];
}

/**
 * Loads the desired state, reusing per-file work from its previous load: a file whose relative path and bytes are
 * unchanged (even under a new git-sync worktree) is neither parsed nor validated again. Keep one per watched folder.
 */
export class ManifestLoader {
  /** By relative path: the latest load's outcome for each file. */
  private processed = new Map<string, ProcessedFile>();
  /** By absolute path: the stat that lets an unchanged file skip even being read. */
  private stats = new Map<string, StatSeen>();
  private readonly parse: (file: string, text: string, limits: InputLimits) => ParsedFile;
  private readonly now: () => number;
  private readonly limits: InputLimits;

  constructor(options: ManifestLoaderOptions = {}) {
    this.parse = options.parse ?? parseManifestFile;
    this.now = options.now ?? Date.now;
    this.limits = options.limits ?? DEFAULT_INPUT_LIMITS;
  }

  /** Reads, parses and validates the desired state under `dir`. Never throws for bad or vanishing input. */
  async load(dir: string): Promise<DesiredStateSnapshot> {
    let root: string;
    try {
      root = await realpath(dir);
    } catch (err) {
      this.forget();
      return assembleSnapshot([], { revision: contentRevision([]), root: path.resolve(dir), unreadable: [unreadable('.', err)] });
    }
    const listing = await this.list(root);
    if (listing.files.length > this.limits.maxFiles) {
      const message = `the folder holds ${listing.files.length} manifest files, over the limit of ${this.limits.maxFiles}: nothing was read (raise with ${limitSettingName('maxFiles')})`;
      return assembleSnapshot([], { revision: contentRevision([]), root: listing.base, unreadable: [fileError('.', 'folder-too-large', message)] });
    }
    const statted = await Promise.all(listing.files.map((file) => this.statFile(listing.base, file)));
    // A file over the per-file limit is not read either, so it counts against its own limit, not the total.
    const readable = statted.flatMap((s) => ('stats' in s && s.stats.size <= this.limits.maxFileBytes ? [s.stats.size] : []));
    const totalBytes = readable.reduce((sum, size) => sum + size, 0);
    if (totalBytes > this.limits.maxTotalBytes) {
      // Not one file is read: which of them to leave out is not the loader's call. The last good state stays.
      const message = `the manifest files add up to ${formatBytes(totalBytes)}, over the limit of ${formatBytes(this.limits.maxTotalBytes)}: nothing was read (raise with ${limitSettingName('maxTotalBytes')})`;
      return assembleSnapshot([], { revision: contentRevision([]), root: listing.base, unreadable: [fileError('.', 'folder-too-large', message)] });
    }
    const outcomes = await Promise.all(statted.map((s) => ('error' in s ? { error: s.error } : this.loadFile(listing.base, s.file, s.stats))));
    const processed = outcomes.flatMap((o) => ('processed' in o ? [o.processed] : []));
    const unreadableFiles = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
    // Only the files of this load are kept, so deleted files and old worktrees do not pile up.
    this.processed = new Map(processed.map((p) => [p.file, p]));
    this.stats = new Map(outcomes.flatMap((o) => ('seen' in o && o.seen ? [[o.absolute, o.seen] as const] : [])));
    const revision = worktreeCommit(listing.base) ?? (await gitHeadCommit(listing.base)) ?? contentRevision(processed);
    return assembleSnapshot(processed, { revision, root: listing.base, unreadable: [...listing.unreadable, ...unreadableFiles] });
  }

  /** The manifest files under a folder, or a file given directly (whatever its name: it was asked for). */
  private async list(root: string): Promise<Listing> {
    const rootStats = await stat(root).catch(() => undefined);
    if (rootStats?.isFile()) return { base: path.dirname(root), files: [path.basename(root)], unreadable: [] };
    return { base: root, ...(await listManifestFiles(root)) };
  }

  /** A file's size and kind, from a stat that follows symlinks: only regular files within the size limit are read. */
  private async statFile(base: string, file: string): Promise<Statted> {
    try {
      const stats = await stat(path.join(base, file));
      // A directory behind a symlink, a FIFO (reading it would block forever) or a device is not a manifest.
      if (!stats.isFile()) return { file, error: fileError(file, 'unreadable', 'cannot read: not a regular file') };
      return { file, stats };
    } catch (err) {
      return { file, error: unreadable(file, err) };
    }
  }

  private forget(): void {
    this.processed.clear();
    this.stats.clear();
  }

  private async loadFile(root: string, file: string, stats: Stats): Promise<FileOutcome> {
    const absolute = path.join(root, file);
    const { size, mtimeMs } = stats;
    if (size > this.limits.maxFileBytes) {
      const message = `the file is ${formatBytes(size)}, over the limit of ${formatBytes(this.limits.maxFileBytes)} per file: not read (raise with ${limitSettingName('maxFileBytes')})`;
      return { processed: { file, contentHash: `size:${size}`, documents: [], diagnostics: [fileError(file, 'file-too-large', message)] }, absolute };
    }
    try {
      const seenAtMs = this.now();
      const cached = this.processed.get(file);
      const previous = this.stats.get(absolute);
      const statUnchanged = previous !== undefined && previous.size === size && previous.mtimeMs === mtimeMs && previous.seenAtMs - mtimeMs > AMBIGUOUS_MTIME_MS;
      if (cached && statUnchanged && previous.contentHash === cached.contentHash) return { processed: cached, seen: previous, absolute };
      const bytes = await readFile(absolute);
      // The file may have grown since its stat: the limit holds for what was read.
      if (bytes.length > this.limits.maxFileBytes) return this.loadFile(root, file, { ...stats, size: bytes.length });
      const contentHash = sha256(bytes);
      const seen = { size, mtimeMs, seenAtMs, contentHash };
      if (cached?.contentHash === contentHash) return { processed: cached, seen, absolute };
      const decoded = decodeUtf8(bytes);
      const parsed: ParsedFile =
        'text' in decoded
          ? this.parse(file, decoded.text, this.limits)
          : { file, documents: [], diagnostics: [fileError(file, 'invalid-utf8', 'not UTF-8 text (a binary file, or another encoding): manifests are UTF-8', decoded)] };
      return { processed: processFile(parsed, contentHash), seen, absolute };
    } catch (err) {
      return { error: unreadable(file, err) };
    }
  }
}

/** Reads, parses and validates the desired state under `dir` (a folder, or one file) once. Never throws for bad or vanishing input. */
export function loadDesiredState(dir: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): Promise<DesiredStateSnapshot> {
  return new ManifestLoader({ limits }).load(dir);
}

export interface ValidationResult {
  valid: boolean;
  errors: number;
  warnings: number;
  diagnostics: Diagnostic[];
}

/** Whether a snapshot passes validation: no errors, and with `strict` no warnings either. */
export function validateSnapshot(snapshot: DesiredStateSnapshot, options: { strict?: boolean } = {}): ValidationResult {
  const { errors, warnings } = countBySeverity(snapshot.diagnostics);
  return { valid: errors === 0 && (!options.strict || warnings === 0), errors, warnings, diagnostics: snapshot.diagnostics };
}
