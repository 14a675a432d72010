/**
 * Loads the desired state from a folder tree: every *.yaml, *.yml and *.json file (many documents per file),
 * skipping dotfiles and dot-folders (so `.git` and git-sync's `.worktrees`). The folder is resolved once
 * (realpath), so a git-sync symlink swapped mid-load cannot mix two revisions; a file that vanishes while being
 * read is an error for that file, never a crash.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { countBySeverity, sortDiagnostics } from './diagnostics.js';
import type { Diagnostic, SourceLocation } from './diagnostics.js';
import { clusterName, serviceKey } from './identity.js';
import { parseManifestFile } from './parse.js';
import type { ParsedFile } from './parse.js';
import { contentRevision, gitHeadCommit, worktreeCommit } from './revision.js';
import type { AnalysisTemplateManifest, ServiceManifest } from './schema.js';
import { checkDocuments, documentIdentity } from './semantics.js';

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

export interface ManifestFileResult {
  /** Path relative to the root, with forward slashes. */
  file: string;
  /** False when the file has any error: it then contributes nothing, and a watcher should keep its last good state. */
  ok: boolean;
  /** What the file declares (when ok, these are in the snapshot). */
  serviceKeys: string[];
  analysisTemplates: string[];
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

async function resolveRevision(root: string, texts: ReadonlyArray<{ file: string; text: string }>): Promise<string> {
  return worktreeCommit(root) ?? (await gitHeadCommit(root)) ?? contentRevision(texts);
}

/**
 * Builds the snapshot from parsed files and the paths that could not be read: runs the cross-document rules, then
 * keeps what error-free files declare.
 */
export function assembleSnapshot(parsed: readonly ParsedFile[], context: { revision: string; root: string; unreadable: Diagnostic[] }): DesiredStateSnapshot {
  const semantic = checkDocuments(parsed.flatMap((f) => f.documents));
  const diagnostics = sortDiagnostics([...context.unreadable, ...parsed.flatMap((f) => f.diagnostics), ...semantic]);
  const services = new Map<string, DesiredService>();
  const analysisTemplates = new Map<string, DesiredAnalysisTemplate>();
  const files = new Map<string, ManifestFileResult>();

  for (const { file, documents } of parsed) {
    const fileDiagnostics = diagnostics.filter((d) => d.file === file);
    const ok = countBySeverity(fileDiagnostics).errors === 0;
    const result: ManifestFileResult = { file, ok, serviceKeys: [], analysisTemplates: [], diagnostics: fileDiagnostics };
    for (const { raw, manifest, source } of documents) {
      if (manifest?.kind === 'Service') {
        const key = serviceKey(manifest.spec.cluster, manifest.metadata.name);
        result.serviceKeys.push(key);
        if (ok) {
          services.set(key, { key, cluster: clusterName(manifest.spec.cluster), name: manifest.metadata.name, manifest, source, hash: manifestHash(manifest) });
        }
      } else if (manifest === undefined) {
        // A document the schema rejected still names what it leaves untouched, so apply and the controller can say so.
        const identity = documentIdentity(raw);
        if (identity?.kind === 'Service') result.serviceKeys.push(identity.key);
        else if (identity?.kind === 'AnalysisTemplate') result.analysisTemplates.push(identity.name);
      } else if (manifest.kind === 'AnalysisTemplate') {
        result.analysisTemplates.push(manifest.metadata.name);
        if (ok) analysisTemplates.set(manifest.metadata.name, { name: manifest.metadata.name, manifest, source, hash: manifestHash(manifest) });
      }
    }
    files.set(file, result);
  }
  for (const d of context.unreadable) files.set(d.file, { file: d.file, ok: false, serviceKeys: [], analysisTemplates: [], diagnostics: [d] });
  const complete = context.unreadable.length === 0;
  return { revision: context.revision, root: context.root, complete, services, analysisTemplates, files, diagnostics };
}

type FileRead = { file: string; text: string } | { file: string; error: Diagnostic };

async function readManifestFile(root: string, file: string): Promise<FileRead> {
  try {
    return { file, text: await readFile(path.join(root, file), 'utf8') };
  } catch (err) {
    return { file, error: unreadable(file, err) };
  }
}

/** Reads, parses and validates the desired state under `dir`. Never throws for bad or vanishing input. */
export async function loadDesiredState(dir: string): Promise<DesiredStateSnapshot> {
  let root: string;
  try {
    root = await realpath(dir);
  } catch (err) {
    return assembleSnapshot([], { revision: contentRevision([]), root: path.resolve(dir), unreadable: [unreadable('.', err)] });
  }
  const listing = await listManifestFiles(root);
  const reads = await Promise.all(listing.files.map((file) => readManifestFile(root, file)));
  const texts = reads.flatMap((r) => ('text' in r ? [r] : []));
  const unreadableFiles = reads.flatMap((r) => ('error' in r ? [r.error] : []));
  const parsed = texts.map(({ file, text }) => parseManifestFile(file, text));
  return assembleSnapshot(parsed, { revision: await resolveRevision(root, texts), root, unreadable: [...listing.unreadable, ...unreadableFiles] });
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
