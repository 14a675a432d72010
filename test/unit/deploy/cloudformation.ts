/** Reads deploy/cloudformation.yaml (long-form intrinsics, so plain YAML) and the parts of it the tests check. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

export interface Template {
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedPattern?: string }>;
  Conditions?: Record<string, unknown>;
  Rules?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export const TEMPLATE_FILE = path.resolve(import.meta.dirname, '../../../deploy/cloudformation.yaml');

/** Parses a template, refusing YAML errors, warnings and short-form tags (`!Ref`): the file is long form. */
export function parseTemplate(text: string): Template {
  const document = parseDocument(text);
  const problems = [...document.errors, ...document.warnings].map((problem) => problem.message);
  if (problems.length > 0) throw new Error(`template is not clean YAML: ${problems.join('; ')}`);
  if (/(^|[\s[{,])!(Ref|Sub|GetAtt|If|Equals|Join|Select|Split|Not|And|Or|Base64|FindInMap|ImportValue|GetAZs|Cidr)\b/m.test(text)) {
    throw new Error('template uses a short-form tag; write Fn::Sub etc. in long form');
  }
  return document.toJS() as Template;
}

export function loadTemplate(): Template {
  return parseTemplate(readFileSync(TEMPLATE_FILE, 'utf8'));
}

const PSEUDO_PARAMETERS = new Set(['AWS::AccountId', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackName', 'AWS::StackId', 'AWS::URLSuffix', 'AWS::NotificationARNs']);

/** Every name a Ref, Fn::GetAtt, Fn::Sub `${...}` or Fn::If condition mentions, with where. */
export function references(node: unknown, at = ''): { name: string; kind: 'value' | 'condition'; at: string }[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => references(item, `${at}[${index}]`));
  if (node === null || typeof node !== 'object') return [];
  const found: { name: string; kind: 'value' | 'condition'; at: string }[] = [];
  for (const [key, value] of Object.entries(node)) {
    const here = `${at}.${key}`;
    if (key === 'Ref' && typeof value === 'string') found.push({ name: value, kind: 'value', at: here });
    if (key === 'Fn::GetAtt' && Array.isArray(value)) found.push({ name: String(value[0]), kind: 'value', at: here });
    if (key === 'Fn::If' && Array.isArray(value)) found.push({ name: String(value[0]), kind: 'condition', at: here });
    if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(value) ? [value[0], value[1] as Record<string, unknown>] : [value, {}];
      for (const [, name] of String(text).matchAll(/\$\{([^}!]+)\}/g)) {
        const variable = (name as string).split('.')[0] as string;
        if (!(variable in (variables ?? {}))) found.push({ name: variable, kind: 'value', at: here });
      }
    }
    found.push(...references(value, here));
  }
  return found;
}

/** References to names that are neither parameters, resources, pseudo parameters nor (for Fn::If) conditions. */
export function unresolvedReferences(template: Template): string[] {
  const values = new Set([...Object.keys(template.Parameters), ...Object.keys(template.Resources), ...PSEUDO_PARAMETERS]);
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  return references(template)
    .filter((reference) => !(reference.kind === 'condition' ? conditions : values).has(reference.name))
    .map((reference) => `${reference.at}: ${reference.name}`);
}

/** The Allow statements of an IAM role's inline policies. */
export function roleStatements(template: Template, logicalId: string): PolicyStatement[] {
  const role = template.Resources[logicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${logicalId} is not an AWS::IAM::Role`);
  const policies = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: PolicyStatement[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

export function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export interface ContainerDefinition {
  Name: string;
  Image: unknown;
  Essential?: boolean;
  User?: string;
  ReadonlyRootFilesystem?: boolean;
  DependsOn?: { ContainerName: string; Condition: string }[];
  EntryPoint?: string[];
  Command?: unknown[];
  Environment?: ({ Name: string; Value: unknown } | Record<string, unknown>)[];
  MountPoints?: { SourceVolume: string; ContainerPath: string; ReadOnly?: boolean }[];
  HealthCheck?: { Command: string[]; Interval: number; Timeout: number; Retries: number; StartPeriod: number };
  LogConfiguration?: { LogDriver: string; Options: Record<string, unknown> };
  StopTimeout?: number;
  LinuxParameters?: { Capabilities?: { Drop?: string[]; Add?: string[] }; InitProcessEnabled?: boolean };
}

export function containers(template: Template): ContainerDefinition[] {
  const definition = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::ECS::TaskDefinition');
  if (!definition) throw new Error('no AWS::ECS::TaskDefinition');
  return definition.Properties.ContainerDefinitions as ContainerDefinition[];
}

export function container(template: Template, name: string): ContainerDefinition {
  const found = containers(template).find((candidate) => candidate.Name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

/** The parameters' defaults as strings, for `resolveValue`. */
export function parameterDefaults(template: Template): Record<string, string> {
  return Object.fromEntries(Object.entries(template.Parameters).flatMap(([name, parameter]) => (parameter.Default === undefined ? [] : [[name, String(parameter.Default)]])));
}

/** A scalar as CloudFormation would render it: literals, `Ref` and `Fn::Sub` of the given names. */
export function resolveValue(value: unknown, values: Readonly<Record<string, string>>): string {
  const lookup = (name: string): string => {
    const found = values[name];
    if (found === undefined) throw new Error(`no value for ${name}`);
    return found;
  };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object') {
    if ('Ref' in value) return lookup(String(value.Ref));
    if ('Fn::Sub' in value && typeof value['Fn::Sub'] === 'string') return value['Fn::Sub'].replace(/\$\{([^}!]+)\}/g, (_, name: string) => lookup(name));
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}
