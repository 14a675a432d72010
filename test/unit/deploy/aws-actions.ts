/**
 * Which IAM actions the controller's code needs, read from its source, and how that compares with a policy.
 * The code reaches AWS in two ways, both recognised here:
 *  - an SDK command sent directly: `new DescribeServicesCommand(...)` with the command imported from an
 *    `@aws-sdk/client-*` package (a namespace import, `new ecs.DescribeServicesCommand(...)`, counts too);
 *  - a planned action, declared as plain data and sent later by an applier: `Action<'CreateService', 'ecs', ...>`
 *    in src/plan/types.ts, `ActionOf<'CreateTaskSet', 'ecs', ...>` in src/rollout/types.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface SourceFile {
  /** Path relative to the repository, for messages. */
  file: string;
  text: string;
}

/** The IAM service prefix of each SDK client package the code may import. */
export const IAM_PREFIX_BY_PACKAGE: Readonly<Record<string, string>> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-application-auto-scaling': 'application-autoscaling',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
};

/** The IAM service prefix of each `api` a planned action names (src/aws's AwsApi). */
export const IAM_PREFIX_BY_API: Readonly<Record<string, string>> = {
  ecs: 'ecs',
  elbv2: 'elasticloadbalancing',
  autoscaling: 'application-autoscaling',
  cloudwatch: 'cloudwatch',
  dynamodb: 'dynamodb',
};

/** Planned-action apis that are the controller's own work, not AWS calls (the rollout's analysis runs). */
export const NON_AWS_APIS: ReadonlySet<string> = new Set(['analysis']);

/**
 * Actions AWS also authorizes when the code calls one (the caller needs them, though the code never sends them):
 * - ECS, per the Service Authorization Reference's table of API operations and the IAM actions they authorize:
 *   tag-on-create checks ecs:TagResource (CreateService, CreateTaskSet, RegisterTaskDefinition), and the roles a
 *   task definition names are passed on registration and when a service or task set puts it in use (iam:PassRole);
 * - Application Auto Scaling acts on the target service and CloudWatch with the caller's permissions: registering
 *   an ECS scalable target needs ecs:DescribeServices and ecs:UpdateService, and iam:CreateServiceLinkedRole the
 *   first time in an account; a target-tracking policy creates, replaces and deletes its CloudWatch alarms
 *   (Application Auto Scaling user guide, "Permissions required for API actions on target services and CloudWatch").
 */
export const IMPLIED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'ecs:CreateService': ['ecs:TagResource', 'iam:PassRole'],
  'ecs:UpdateService': ['iam:PassRole'],
  'ecs:RegisterTaskDefinition': ['ecs:TagResource', 'iam:PassRole'],
  'ecs:CreateTaskSet': ['ecs:TagResource', 'iam:PassRole'],
  'application-autoscaling:RegisterScalableTarget': ['ecs:DescribeServices', 'ecs:UpdateService', 'iam:CreateServiceLinkedRole'],
  'application-autoscaling:PutScalingPolicy': ['cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
  'application-autoscaling:DeleteScalingPolicy': ['cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms'],
  'application-autoscaling:DeregisterScalableTarget': ['cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms'],
};

/** One place the code needs an IAM action. */
export interface ActionUse {
  action: string;
  file: string;
  /** `new XCommand`, a planned action kind, or implied by another action. */
  via: 'command' | 'planned-action' | `implied by ${string}`;
}

export interface CodeActions {
  uses: ActionUse[];
  /** Code the scan cannot map to an IAM action (an unknown client package or api): it must be taught, not skipped. */
  problems: string[];
}

const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*['"](@aws-sdk\/client-[\w-]+)['"]/g;
const NAMESPACE_IMPORT = /import\s+\*\s+as\s+(\w+)\s+from\s*['"](@aws-sdk\/client-[\w-]+)['"]/g;
const PLANNED_ACTION = /\b(?:Action|ActionOf)<\s*'(\w+)'\s*,\s*'(\w+)'/g;

/** `DescribeServicesCommand` -> `DescribeServices` (the IAM action name of every operation the code uses). */
function operationOf(commandName: string): string {
  return commandName.slice(0, -'Command'.length);
}

/** Value imports of `*Command` classes from SDK client packages: local name -> {command, package}. */
function importedCommands(text: string): Map<string, { command: string; pkg: string }> {
  const commands = new Map<string, { command: string; pkg: string }>();
  for (const [, typeOnly, specifiers, pkg] of text.matchAll(IMPORT)) {
    if (typeOnly) continue;
    for (const specifier of (specifiers as string).split(',').map((part) => part.trim()).filter(Boolean)) {
      if (specifier.startsWith('type ')) continue;
      const [imported, local] = specifier.split(/\s+as\s+/).map((part) => part.trim());
      if (imported?.endsWith('Command') && imported !== 'Command') commands.set(local ?? imported, { command: imported, pkg: pkg as string });
    }
  }
  return commands;
}

/** Every IAM action the given sources need, with where; implied actions included. */
export function findAwsActions(sources: readonly SourceFile[]): CodeActions {
  const uses: ActionUse[] = [];
  const problems: string[] = [];
  const prefixOfPackage = (pkg: string, file: string): string | undefined => {
    const prefix = IAM_PREFIX_BY_PACKAGE[pkg];
    if (prefix === undefined) problems.push(`${file}: ${pkg} has no IAM prefix in IAM_PREFIX_BY_PACKAGE`);
    return prefix;
  };

  for (const { file, text } of sources) {
    for (const [local, { command, pkg }] of importedCommands(text)) {
      if (!new RegExp(`\\bnew\\s+${local}\\s*\\(`).test(text)) continue;
      const prefix = prefixOfPackage(pkg, file);
      if (prefix) uses.push({ action: `${prefix}:${operationOf(command)}`, file, via: 'command' });
    }
    for (const [, namespace, pkg] of text.matchAll(NAMESPACE_IMPORT)) {
      for (const [, command] of text.matchAll(new RegExp(`\\bnew\\s+${namespace}\\.(\\w+Command)\\s*\\(`, 'g'))) {
        const prefix = prefixOfPackage(pkg as string, file);
        if (prefix) uses.push({ action: `${prefix}:${operationOf(command as string)}`, file, via: 'command' });
      }
    }
    for (const [, kind, api] of text.matchAll(PLANNED_ACTION)) {
      if (NON_AWS_APIS.has(api as string)) continue;
      const prefix = IAM_PREFIX_BY_API[api as string];
      if (prefix === undefined) problems.push(`${file}: planned action ${kind} names api '${api}', which has no IAM prefix in IAM_PREFIX_BY_API`);
      else uses.push({ action: `${prefix}:${kind}`, file, via: 'planned-action' });
    }
  }

  const implied = uses.flatMap((use) => (IMPLIED_ACTIONS[use.action] ?? []).map((action): ActionUse => ({ action, file: use.file, via: `implied by ${use.action}` })));
  return { uses: [...uses, ...implied], problems };
}

export interface PolicyComparison {
  /** Used by the code, not granted: the controller would fail with AccessDenied. */
  missing: string[];
  /** Granted, not used by any code: more than least privilege. */
  unused: string[];
  /** Granted with a wildcard (`ecs:Describe*`, `*`): grants actions nobody reviewed. */
  wildcards: string[];
}

export function comparePolicy(used: readonly ActionUse[], granted: readonly string[]): PolicyComparison {
  const needed = new Set(used.map((use) => use.action));
  const exact = new Set(granted.filter((action) => !action.includes('*')));
  return {
    missing: [...needed].filter((action) => !exact.has(action)).sort(),
    unused: [...exact].filter((action) => !needed.has(action)).sort(),
    wildcards: [...new Set(granted.filter((action) => action.includes('*')))].sort(),
  };
}

/** The comparison in words, naming each difference and where the code uses it; empty when they agree. */
export function describeDifference(comparison: PolicyComparison, used: readonly ActionUse[]): string[] {
  const where = (action: string) =>
    [...new Set(used.filter((use) => use.action === action).map((use) => `${use.file} (${use.via})`))].join(', ');
  return [
    ...comparison.missing.map((action) => `${action} is used but not granted: ${where(action)}`),
    ...comparison.unused.map((action) => `${action} is granted but no code uses it`),
    ...comparison.wildcards.map((action) => `${action} is a wildcard: grant the exact actions the code uses`),
  ];
}

/** Every .ts file under `dir`, skipping the folders named in `exclude` (paths relative to `root`). */
export function readSources(root: string, dir: string, exclude: readonly string[]): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (relative: string) => {
    if (exclude.includes(relative)) return;
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push({ file: child, text: readFileSync(path.join(root, child), 'utf8') });
    }
  };
  walk(dir);
  return files;
}
