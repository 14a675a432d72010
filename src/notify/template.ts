/**
 * Message templates of Notification manifests: `{{field}}` placeholders over a decision's schema fields. A leaf
 * module (no imports), so manifest validation checks placeholders with exactly the renderer's rules.
 */
export const TEMPLATE_FIELDS = ['key', 'cluster', 'service', 'action', 'outcome', 'reason', 'from', 'to', 'requestedBy', 'revision', 'time'] as const;

export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

export const DEFAULT_TEMPLATE = '{{key}}: {{action}} ({{outcome}}): {{reason}}';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders of a template that name no field. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '').filter((name) => !(TEMPLATE_FIELDS as readonly string[]).includes(name));
}

/** Fills every placeholder; a field the decision lacks (e.g. `from`) becomes `-`. */
export function renderTemplate(template: string, values: Partial<Record<TemplateField, string | number>>): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name as TemplateField];
    return value === undefined ? '-' : String(value);
  });
}
