/** The manifest model, loader and validation. Import from here; the other modules are internal. */
export * from './schema.js';
export { parseDuration } from './duration.js';
export { parseTaskCpu, parseTaskMemory } from './fargate.js';
export { clusterName, parseServiceKey, serviceKey } from './identity.js';
export type { ServiceKey, ServiceRef } from './identity.js';
export { ROLLOUT_ARG_NAMES } from './rollout-args.js';
export type { RolloutArgName } from './rollout-args.js';
export { jsonSchema, jsonSchemaText } from './json-schema.js';
export { countBySeverity, formatDiagnostic, formatDiagnostics, pathFromCwd, sortDiagnostics } from './diagnostics.js';
export type { Diagnostic, Severity, SourceLocation } from './diagnostics.js';
export { ManifestLoader, loadDesiredState, manifestHash, validateSnapshot } from './loader.js';
export type { DesiredAnalysisTemplate, DesiredNotification, DesiredService, DesiredStateSnapshot, ManifestFileResult, ManifestLoaderOptions, ValidationResult } from './loader.js';
export { DEFAULT_INPUT_LIMITS, LIMIT_SETTINGS, formatBytes, parseByteSize } from './limits.js';
export type { InputLimits, LimitSetting } from './limits.js';
