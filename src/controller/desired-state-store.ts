/**
 * The desired state in force, built from successive loads of the folder. A load never makes things worse:
 * - a file with errors keeps its last good state (per-file merge), so one broken file blocks nothing else;
 * - a missing, empty or unreadable folder changes nothing at all, nor does one over the total size limit;
 * - a file that could not be listed (an unreadable sub-folder) keeps its last good state too.
 * Pure data in, data out: the controller does the loading and acts on the returned changes.
 */
import type { DesiredAnalysisTemplate, DesiredNotification, DesiredService, DesiredStateSnapshot, Diagnostic, ManifestFileResult, ServiceKey } from '../manifest/index.js';
import type { ManifestProblem } from './status.js';

/** What one file contributes to the desired state in force. */
interface FileState {
  result: ManifestFileResult;
  services: DesiredService[];
  analysisTemplates: DesiredAnalysisTemplate[];
  notifications: DesiredNotification[];
}

export interface DesiredStateUpdate {
  /** False when the folder was missing, empty or unreadable: nothing changed, the last good state stays in force. */
  usable: boolean;
  /** Why the load was not usable. */
  problem?: string;
  /** Services that are new or whose manifest hash changed. */
  changed: ServiceKey[];
  /** Services no manifest names any more. */
  removed: ServiceKey[];
  /** Files with errors whose last good state stays in force. */
  keptFiles: string[];
  /** Files with errors that never loaded cleanly: what they declare is unknown. */
  unknownFiles: string[];
  revisionChanged: boolean;
}

/** Why a load cannot be used at all, if so: the root could not be read, or holds no manifest file. */
export function folderProblem(snapshot: DesiredStateSnapshot, dir: string): string | undefined {
  const rootUnreadable = snapshot.diagnostics.find((d) => d.code === 'unreadable' && (d.file === '.' || d.file === dir));
  if (rootUnreadable) return `desired-state folder missing or unreadable: ${rootUnreadable.message}`;
  const tooLarge = snapshot.diagnostics.find((d) => d.code === 'folder-too-large');
  if (tooLarge) return `desired-state folder too large: ${tooLarge.message}`;
  if (snapshot.files.size === 0) return 'desired-state folder has no manifest files';
  return undefined;
}

function toProblem(d: Diagnostic): ManifestProblem {
  return {
    file: d.file,
    line: d.line,
    col: d.col,
    message: d.message,
    ...(d.path ? { path: d.path } : {}),
    code: d.code,
    ...(d.hint ? { hint: d.hint } : {}),
  };
}

function fileStateOf(snapshot: DesiredStateSnapshot, result: ManifestFileResult): FileState {
  return {
    result,
    services: result.serviceKeys.flatMap((key) => snapshot.services.get(key) ?? []),
    analysisTemplates: result.analysisTemplates.flatMap((name) => snapshot.analysisTemplates.get(name) ?? []),
    notifications: result.notifications.flatMap((name) => snapshot.notifications.get(name) ?? []),
  };
}

/** Keys that are new or whose hash differs, and keys that are gone. */
export function diffServices(before: ReadonlyMap<ServiceKey, DesiredService>, after: ReadonlyMap<ServiceKey, DesiredService>): { changed: ServiceKey[]; removed: ServiceKey[] } {
  const changed = [...after.values()].filter((service) => before.get(service.key)?.hash !== service.hash).map((service) => service.key);
  const removed = [...before.keys()].filter((key) => !after.has(key));
  return { changed: changed.sort(), removed: removed.sort() };
}

export class DesiredStateStore {
  private files = new Map<string, FileState>();
  private servicesInForce = new Map<ServiceKey, DesiredService>();
  private notificationsInForce = new Map<string, DesiredNotification>();
  private lastProblem: string | undefined;
  private lastRevision: string | undefined;
  private lastRoot = '';
  private lastLoadedAt: Date | undefined;
  private problems: ManifestProblem[] = [];
  private unknown: string[] = [];
  private listedCompletely = true;

  /** `dir` is the folder as configured (the git-sync link), for recognising a root that could not be read. */
  constructor(private readonly dir: string) {}

  /** Merges one load into the state in force, and says what changed. */
  update(snapshot: DesiredStateSnapshot, now: Date): DesiredStateUpdate {
    const problem = folderProblem(snapshot, this.dir);
    this.lastProblem = problem;
    if (problem !== undefined) {
      return { usable: false, problem, changed: [], removed: [], keptFiles: [], unknownFiles: [], revisionChanged: false };
    }
    const fresh: FileState[] = [];
    const kept = new Map<string, FileState>();
    const unknownFiles: string[] = [];
    for (const [file, result] of snapshot.files) {
      const last = this.files.get(file);
      if (result.ok) fresh.push(fileStateOf(snapshot, result));
      else if (last) kept.set(file, last);
      else unknownFiles.push(file);
    }
    // A partial listing (an unreadable sub-folder) cannot tell a deleted file from one it could not see.
    if (!snapshot.complete) {
      for (const [file, last] of this.files) if (!snapshot.files.has(file) && !kept.has(file)) kept.set(file, last);
    }
    // Files that load cleanly now win over kept ones if both declare a service.
    const inForce = [...fresh, ...kept.values()];
    const services = new Map<ServiceKey, DesiredService>();
    for (const state of inForce) for (const service of state.services) if (!services.has(service.key)) services.set(service.key, service);

    const { changed, removed } = diffServices(this.servicesInForce, services);
    const revisionChanged = snapshot.revision !== this.lastRevision;
    this.files = new Map(inForce.map((state) => [state.result.file, state]));
    this.servicesInForce = services;
    this.notificationsInForce = new Map(inForce.flatMap((state) => state.notifications.map((notification) => [notification.name, notification] as const)));
    this.lastRevision = snapshot.revision;
    this.lastRoot = snapshot.root;
    this.lastLoadedAt = now;
    this.problems = snapshot.diagnostics.filter((d) => d.severity === 'error').map(toProblem);
    this.unknown = unknownFiles.sort();
    this.listedCompletely = snapshot.complete;
    return { usable: true, changed, removed, keptFiles: [...kept.keys()].sort(), unknownFiles: this.unknown, revisionChanged };
  }

  /** At least one usable load happened. */
  get loaded(): boolean {
    return this.lastLoadedAt !== undefined;
  }

  /** Why the last load could not be used, if it could not. */
  get problem(): string | undefined {
    return this.lastProblem;
  }

  get revision(): string | undefined {
    return this.lastRevision;
  }

  get loadedAt(): Date | undefined {
    return this.lastLoadedAt;
  }

  get services(): ReadonlyMap<ServiceKey, DesiredService> {
    return this.servicesInForce;
  }

  /** The Notification manifests in force (each from the last good state of its file). */
  get notifications(): ReadonlyMap<string, DesiredNotification> {
    return this.notificationsInForce;
  }

  /** Errors of the last usable load, for `/status` and the `manifest_errors` gauge. */
  get manifestErrors(): readonly ManifestProblem[] {
    return this.problems;
  }

  /**
   * Why deleting services on the strength of this state would be unsafe, if it would: a file with errors that never
   * loaded cleanly may name services that must stay, and so may a file an unreadable sub-folder hid.
   */
  get pruneBlocker(): string | undefined {
    if (!this.loaded) return 'the desired state was never loaded';
    if (this.lastProblem !== undefined) return this.lastProblem;
    if (!this.listedCompletely) return 'part of the desired-state folder could not be read';
    if (this.unknown.length > 0) return `${this.unknown.join(', ')} ha${this.unknown.length === 1 ? 's' : 've'} errors and never loaded cleanly: the services there are unknown`;
    return undefined;
  }

  /** The state in force as a loader snapshot, for the reconcile functions: every file in it is a good one. */
  snapshot(): DesiredStateSnapshot {
    const states = [...this.files.values()];
    return {
      revision: this.lastRevision ?? '',
      root: this.lastRoot,
      complete: this.pruneBlocker === undefined,
      services: this.servicesInForce,
      analysisTemplates: new Map(states.flatMap((state) => state.analysisTemplates.map((template) => [template.name, template] as const))),
      notifications: this.notificationsInForce,
      files: new Map(states.map((state) => [state.result.file, state.result])),
      diagnostics: [],
    };
  }
}
