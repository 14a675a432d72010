/**
 * Template arguments: `{{args.NAME}}` placeholders in provider fields and conditions, filled from the analysis step's
 * args, then from the rollout's own facts (target groups, service), then from the template's defaults.
 */
import type { AnalysisRef, AnalysisTemplateManifest } from '../../manifest/index.js';

export type AnalysisArgs = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{\{\s*(.*?)\s*\}\}/g;
const ARG_REFERENCE = /^args\.([\w.-]+)$/;

/** A template that cannot run as written or called: every problem found, one per line. */
export class AnalysisConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `analysis cannot start:\n- ${problems.join('\n- ')}`);
    this.name = 'AnalysisConfigError';
  }
}

/** The arg names a string's placeholders refer to; throws on a placeholder that is not `{{args.NAME}}`. */
export function placeholderArgs(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map(([placeholder, inner]) => {
    const name = ARG_REFERENCE.exec(inner ?? '')?.[1];
    if (name === undefined) throw new AnalysisConfigError([`unsupported placeholder ${placeholder}: only {{args.NAME}} is substituted`]);
    return name;
  });
}

/** Replaces `{{args.NAME}}` in a string; `where` names the field in the error for a missing arg. */
export function substituteText(text: string, args: AnalysisArgs, where: string): string {
  const missing = placeholderArgs(text).filter((name) => !Object.hasOwn(args, name));
  if (missing.length > 0) {
    throw new AnalysisConfigError(missing.map((name) => `${where}: {{args.${name}}} has no value (declare it in spec.args with a default, or pass it from the analysis step)`));
  }
  return text.replace(PLACEHOLDER, (_, inner: string) => args[ARG_REFERENCE.exec(inner)![1]!]!);
}

/** Substitutes every string inside plain data (a provider block), keeping its shape. */
export function substituteArgs<T>(value: T, args: AnalysisArgs, where: string): T {
  if (typeof value === 'string') return substituteText(value, args, where) as T;
  if (Array.isArray(value)) return value.map((item, i) => substituteArgs(item, args, `${where}[${i}]`)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteArgs(item, args, `${where}.${key}`)])) as T;
  }
  return value;
}

/**
 * The args a run of `templates` gets: the step's args (each must be declared by one of the templates), else the
 * rollout's context args, else the templates' defaults. Every declared arg must end up with a value.
 */
export function resolveArgs(templates: readonly AnalysisTemplateManifest[], stepArgs: AnalysisRef['args'], contextArgs: AnalysisArgs = {}): AnalysisArgs {
  const declaredBy = new Map<string, string[]>();
  const defaults: Record<string, string> = {};
  for (const template of templates) {
    for (const arg of template.spec.args ?? []) {
      declaredBy.set(arg.name, [...(declaredBy.get(arg.name) ?? []), template.metadata.name]);
      if (arg.value !== undefined) defaults[arg.name] ??= arg.value;
    }
  }
  const passed = Object.fromEntries((stepArgs ?? []).map((a) => [a.name, a.value]));
  const problems = Object.keys(passed)
    .filter((name) => !declaredBy.has(name))
    .map((name) => `arg "${name}" is passed but not declared in spec.args of ${templates.map((t) => t.metadata.name).join(', ')}`);
  const resolved: Record<string, string> = {};
  for (const [name, templateNames] of declaredBy) {
    const value = passed[name] ?? (Object.hasOwn(contextArgs, name) ? contextArgs[name] : undefined) ?? defaults[name];
    if (value === undefined) problems.push(`arg "${name}" of ${templateNames.join(', ')} has no value: pass it from the analysis step or give it a default`);
    else resolved[name] = value;
  }
  if (problems.length > 0) throw new AnalysisConfigError(problems);
  return resolved;
}
