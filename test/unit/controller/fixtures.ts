/** Desired-state snapshots built in memory, as the loader would return them, for the controller's unit tests. */
import { manifestHash } from '../../../src/manifest/index.js';
import type { DesiredService, DesiredStateSnapshot, Diagnostic, ManifestFileResult } from '../../../src/manifest/index.js';
import { manifest } from '../plan/fixtures.js';

export function desired(name: string, spec: Record<string, unknown> = {}): DesiredService {
  const parsed = manifest({ cluster: 'prod', ...spec }, { name });
  return { key: `prod/${name}`, cluster: 'prod', name, manifest: parsed, source: { file: `${name}.yaml`, line: 1, col: 1 }, hash: manifestHash(parsed) };
}

export interface FileSpec {
  file: string;
  /** What the file declares; with `broken`, only named (as the loader does), not in the snapshot's services. */
  services?: DesiredService[];
  broken?: boolean;
}

function errorIn(file: string): Diagnostic {
  return { file, line: 2, col: 1, severity: 'error', code: 'yaml-syntax', path: '', message: 'unexpected end of flow mapping' };
}

export function snapshotOf(files: FileSpec[], options: { revision?: string; complete?: boolean; diagnostics?: Diagnostic[] } = {}): DesiredStateSnapshot {
  const results = new Map<string, ManifestFileResult>();
  const services = new Map<string, DesiredService>();
  const diagnostics: Diagnostic[] = [...(options.diagnostics ?? [])];
  for (const { file, services: declared = [], broken = false } of files) {
    const fileDiagnostics = broken ? [errorIn(file)] : [];
    diagnostics.push(...fileDiagnostics);
    results.set(file, { file, ok: !broken, serviceKeys: declared.map((service) => service.key), analysisTemplates: [], notifications: [], diagnostics: fileDiagnostics });
    if (!broken) for (const service of declared) services.set(service.key, service);
  }
  return { revision: options.revision ?? 'rev-1', root: '/desired', complete: options.complete ?? true, services, analysisTemplates: new Map(), notifications: new Map(), files: results, diagnostics };
}

/** What the loader returns for a folder that does not exist. */
export function missingFolder(): DesiredStateSnapshot {
  const diagnostic: Diagnostic = { file: '.', line: 1, col: 1, severity: 'error', code: 'unreadable', path: '', message: "cannot read: ENOENT: no such file or directory, realpath '/desired'" };
  return {
    revision: 'sha256:e3b0c44298fc',
    root: '/desired',
    complete: false,
    services: new Map(),
    analysisTemplates: new Map(),
    notifications: new Map(),
    files: new Map([['.', { file: '.', ok: false, serviceKeys: [], analysisTemplates: [], notifications: [], diagnostics: [diagnostic] }]]),
    diagnostics: [diagnostic],
  };
}
