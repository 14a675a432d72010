/**
 * Semantic rules: what the schema cannot say on its own, within one service and across all documents.
 * Each rule is a small pure function returning findings at field paths; `checkDocuments` places them in files.
 */
import type { Diagnostic, Finding, PathSegment, SourceLocation } from './diagnostics.js';
import { didYouMean, formatPath, placeFinding } from './diagnostics.js';
import { FARGATE_CPU_VALUES, describeMemoryOptions, fargateMemoryOptions, parseTaskCpu, parseTaskMemory } from './fargate.js';
import { serviceKey } from './identity.js';
import type { ParsedDocument } from './parse.js';
import { ROLLOUT_ARG_NAMES } from './rollout-args.js';
import type { AnalysisMetric, AnalysisRef, AnalysisTemplateManifest, Manifest, NotificationManifest, ServiceManifest } from './schema.js';
// Also a leaf module: templates are checked with the renderer's own placeholder rules.
import { TEMPLATE_FIELDS, unknownPlaceholders } from '../notify/template.js';
// The condition parser is a leaf module (it imports nothing else), so validation reuses the engine's grammar exactly.
import { ExpressionError, parseExpression } from '../rollout/analysis/expression/index.js';

const error = (code: string, at: PathSegment[], message: string, hint?: string): Finding => ({ at, severity: 'error', code, message, ...(hint && { hint }) });
const warning = (code: string, at: PathSegment[], message: string, hint?: string): Finding => ({ at, severity: 'warning', code, message, ...(hint && { hint }) });

const TD = ['spec', 'taskDefinition'];
const CONTAINERS = [...TD, 'containerDefinitions'];

/* ------------------------------------------------------------------ per-service rules */

function runsOnFargate(m: ServiceManifest): boolean {
  const { spec } = m;
  return (
    spec.launchType === 'FARGATE' ||
    (spec.capacityProviderStrategy ?? []).some((p) => p.capacityProvider === 'FARGATE' || p.capacityProvider === 'FARGATE_SPOT') ||
    (spec.taskDefinition.requiresCompatibilities ?? []).includes('FARGATE')
  );
}

export function fargateTaskSize(m: ServiceManifest): Finding[] {
  if (!runsOnFargate(m)) return [];
  const td = m.spec.taskDefinition;
  const findings: Finding[] = [];
  if (td.networkMode !== undefined && td.networkMode !== 'awsvpc') {
    findings.push(error('fargate-network-mode', [...TD, 'networkMode'], `Fargate tasks need networkMode awsvpc, not ${td.networkMode}`));
  }
  if (td.cpu === undefined || td.memory === undefined) {
    const missing = td.cpu === undefined ? 'cpu' : 'memory';
    return [...findings, error('fargate-task-size', TD, `Fargate tasks need task-level cpu and memory; "${missing}" is missing`)];
  }
  const cpu = parseTaskCpu(td.cpu);
  const options = cpu === undefined ? undefined : fargateMemoryOptions(cpu);
  if (options === undefined) {
    return [...findings, error('fargate-task-size', [...TD, 'cpu'], `cpu "${td.cpu}" is not a Fargate size`, `use one of ${FARGATE_CPU_VALUES.join(', ')} (or "1 vCPU" forms)`)];
  }
  const memory = parseTaskMemory(td.memory);
  if (memory === undefined || !options.includes(memory)) {
    findings.push(
      error('fargate-task-size', [...TD, 'memory'], `memory "${td.memory}" is not a Fargate size for cpu ${cpu}`, `with cpu ${cpu}, memory (MiB) must be ${describeMemoryOptions(options)}`),
    );
  }
  return findings;
}

export function capacityPlacement(m: ServiceManifest): Finding[] {
  const { launchType, capacityProviderStrategy } = m.spec;
  if (launchType !== undefined && capacityProviderStrategy !== undefined) {
    return [error('launch-type-xor-capacity-providers', ['spec', 'capacityProviderStrategy'], 'set launchType or capacityProviderStrategy, not both')];
  }
  const withBase = (capacityProviderStrategy ?? []).flatMap((p, i) => (p.base !== undefined && p.base > 0 ? [i] : []));
  return withBase.slice(1).map((i) =>
    error('capacity-provider-base', ['spec', 'capacityProviderStrategy', i, 'base'], 'only one capacity provider in a strategy can have a base'),
  );
}

export function awsvpcNetworkConfiguration(m: ServiceManifest): Finding[] {
  const awsvpc = m.spec.taskDefinition.networkMode === 'awsvpc' || runsOnFargate(m);
  if (awsvpc && m.spec.networkConfiguration === undefined) {
    return [error('network-configuration', ['spec'], 'awsvpc tasks need spec.networkConfiguration.awsvpcConfiguration (subnets, securityGroups)')];
  }
  return [];
}

export function loadBalancerTarget(m: ServiceManifest): Finding[] {
  const lb = m.spec.loadBalancer;
  if (!lb) return [];
  const containers = m.spec.taskDefinition.containerDefinitions;
  const container = containers.find((c) => c.name === lb.containerName);
  if (!container) {
    return [
      error(
        'load-balancer-container',
        ['spec', 'loadBalancer', 'containerName'],
        `no container named "${lb.containerName}" in the task definition`,
        didYouMean(lb.containerName, containers.map((c) => c.name)) ?? `containers: ${containers.map((c) => c.name).join(', ')}`,
      ),
    ];
  }
  const ports = (container.portMappings ?? []).flatMap((p) => (p.containerPort === undefined ? [] : [p.containerPort]));
  if (!ports.includes(lb.containerPort)) {
    const known = ports.length ? `its ports: ${ports.join(', ')}` : 'it has no portMappings';
    return [error('load-balancer-port', ['spec', 'loadBalancer', 'containerPort'], `container "${lb.containerName}" does not map port ${lb.containerPort}`, known)];
  }
  return [];
}

interface TargetGroupField {
  value: string | undefined;
  at: PathSegment[];
}

/** Where a traffic-shifting rollout names its two target groups and its listener rules. */
interface TrafficLayout {
  /** The group serving now; `loadBalancer.targetGroup` must be it or the other. */
  current: TargetGroupField;
  next: TargetGroupField;
  listenerRules?: { production: string; test?: string; testAt: PathSegment[] };
}

function trafficLayout(m: ServiceManifest): TrafficLayout | undefined {
  const rollout = m.spec.rollout;
  const base = ['spec', 'rollout'];
  switch (rollout?.strategy) {
    case 'Canary': {
      const { stableTargetGroup, canaryTargetGroup } = rollout.canary;
      const at = [...base, 'canary'];
      return { current: { value: stableTargetGroup, at: [...at, 'stableTargetGroup'] }, next: { value: canaryTargetGroup, at: [...at, 'canaryTargetGroup'] } };
    }
    case 'BlueGreen': {
      const bg = rollout.blueGreen;
      const at = [...base, 'blueGreen'];
      return {
        current: { value: bg.activeTargetGroup, at: [...at, 'activeTargetGroup'] },
        next: { value: bg.previewTargetGroup, at: [...at, 'previewTargetGroup'] },
        listenerRules: { production: bg.productionListenerRule, test: bg.testListenerRule, testAt: [...at, 'testListenerRule'] },
      };
    }
    case 'Native': {
      const advanced = rollout.native.advancedConfiguration;
      const at = [...base, 'native', 'advancedConfiguration'];
      return {
        current: { value: m.spec.loadBalancer?.targetGroup, at: ['spec', 'loadBalancer', 'targetGroup'] },
        next: { value: advanced.alternateTargetGroup, at: [...at, 'alternateTargetGroup'] },
        listenerRules: { production: advanced.productionListenerRule, test: advanced.testListenerRule, testAt: [...at, 'testListenerRule'] },
      };
    }
    default:
      return undefined;
  }
}

/** Canary, BlueGreen and Native move traffic between two distinct target groups behind listener rules. */
export function rolloutTraffic(m: ServiceManifest): Finding[] {
  const layout = trafficLayout(m);
  if (!layout) return [];
  const { current, next, listenerRules } = layout;
  const findings: Finding[] = [];
  const lb = m.spec.loadBalancer;
  if (!lb) {
    findings.push(error('rollout-load-balancer', ['spec'], `a ${m.spec.rollout?.strategy} rollout needs spec.loadBalancer (containerName, containerPort, targetGroup)`));
  } else if (lb.targetGroup !== current.value && lb.targetGroup !== next.value) {
    findings.push(
      error('rollout-target-groups', ['spec', 'loadBalancer', 'targetGroup'], `loadBalancer.targetGroup "${lb.targetGroup}" must be ${formatPath(current.at)} or ${formatPath(next.at)}`, `use "${current.value}"`),
    );
  }
  if (current.value !== undefined && current.value === next.value) {
    findings.push(error('rollout-target-groups', next.at, `must differ from ${formatPath(current.at)} ("${current.value}"): a rollout needs two target groups`));
  }
  if (listenerRules?.test !== undefined && listenerRules.test === listenerRules.production) {
    findings.push(error('rollout-listener-rules', listenerRules.testAt, 'testListenerRule must differ from productionListenerRule'));
  }
  return findings;
}

/** ECS accepts canaryConfiguration only with strategy CANARY, and linearConfiguration only with LINEAR. */
export function nativeStrategyConfig(m: ServiceManifest): Finding[] {
  const rollout = m.spec.rollout;
  if (rollout?.strategy !== 'Native') return [];
  const { strategy, canaryConfiguration, linearConfiguration } = rollout.native;
  const at = ['spec', 'rollout', 'native'];
  return [
    ...(canaryConfiguration && strategy !== 'CANARY' ? [error('native-strategy-config', [...at, 'canaryConfiguration'], `canaryConfiguration applies only to strategy CANARY, not ${strategy}`)] : []),
    ...(linearConfiguration && strategy !== 'LINEAR' ? [error('native-strategy-config', [...at, 'linearConfiguration'], `linearConfiguration applies only to strategy LINEAR, not ${strategy}`)] : []),
  ];
}

export function autoscalingBounds(m: ServiceManifest): Finding[] {
  const as = m.spec.autoscaling;
  if (!as) return [];
  const at = ['spec', 'autoscaling'];
  const findings: Finding[] = [];
  if (as.minCapacity > as.maxCapacity) {
    findings.push(error('autoscaling-bounds', [...at, 'minCapacity'], `minCapacity ${as.minCapacity} is greater than maxCapacity ${as.maxCapacity}`));
  } else if (m.spec.desiredCount !== undefined && (m.spec.desiredCount < as.minCapacity || m.spec.desiredCount > as.maxCapacity)) {
    findings.push(error('autoscaling-bounds', ['spec', 'desiredCount'], `desiredCount ${m.spec.desiredCount} is outside autoscaling ${as.minCapacity}..${as.maxCapacity}`));
  }
  (as.scheduledActions ?? []).forEach((action, i) => {
    if (action.minCapacity !== undefined && action.maxCapacity !== undefined && action.minCapacity > action.maxCapacity) {
      findings.push(error('autoscaling-bounds', [...at, 'scheduledActions', i, 'minCapacity'], `minCapacity ${action.minCapacity} is greater than maxCapacity ${action.maxCapacity}`));
    }
    if (action.minCapacity === undefined && action.maxCapacity === undefined) {
      findings.push(error('autoscaling-bounds', [...at, 'scheduledActions', i], 'a scheduled action needs minCapacity, maxCapacity or both'));
    }
  });
  (as.policies ?? []).forEach((policy, i) => {
    const tt = policy.targetTracking;
    if (!tt) return;
    const path = [...at, 'policies', i, 'targetTracking'];
    if (tt.predefinedMetric === 'ALBRequestCountPerTarget' && tt.resourceLabel === undefined) {
      findings.push(error('autoscaling-resource-label', path, 'ALBRequestCountPerTarget needs resourceLabel (app/<alb>/<id>/targetgroup/<tg>/<id>)'));
    } else if (tt.predefinedMetric !== 'ALBRequestCountPerTarget' && tt.resourceLabel !== undefined) {
      findings.push(error('autoscaling-resource-label', [...path, 'resourceLabel'], 'resourceLabel applies only to ALBRequestCountPerTarget'));
    }
  });
  return findings;
}

export function containerReferences(m: ServiceManifest): Finding[] {
  const containers = m.spec.taskDefinition.containerDefinitions;
  const names = containers.map((c) => c.name);
  const volumes = (m.spec.taskDefinition.volumes ?? []).map((v) => v.name);
  const findings: Finding[] = [];
  const unknown = (code: string, at: PathSegment[], what: string, name: string, known: string[]) =>
    findings.push(error(code, at, `no ${what} named "${name}" in the task definition`, didYouMean(name, known)));

  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const at = [...CONTAINERS, i];
    if (seen.has(c.name)) findings.push(error('duplicate-container', [...at, 'name'], `container name "${c.name}" is used twice`));
    seen.add(c.name);
    (c.dependsOn ?? []).forEach((d, j) => {
      if (!names.includes(d.containerName)) unknown('container-reference', [...at, 'dependsOn', j, 'containerName'], 'container', d.containerName, names);
    });
    (c.volumesFrom ?? []).forEach((v, j) => {
      if (!names.includes(v.sourceContainer)) unknown('container-reference', [...at, 'volumesFrom', j, 'sourceContainer'], 'container', v.sourceContainer, names);
    });
    (c.mountPoints ?? []).forEach((mp, j) => {
      if (!volumes.includes(mp.sourceVolume)) unknown('volume-reference', [...at, 'mountPoints', j, 'sourceVolume'], 'volume', mp.sourceVolume, volumes);
    });
  });
  if (containers.every((c) => c.essential === false)) {
    findings.push(error('essential-container', CONTAINERS, 'at least one container must be essential'));
  }
  return findings;
}

const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL/i;
const SECRET_VALUE = [/^AKIA[0-9A-Z]{16}$/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /^gh[pousr]_[A-Za-z0-9]{30,}$/, /^xox[abpr]-/, /^sk_live_/];

export function plaintextSecrets(m: ServiceManifest): Finding[] {
  return m.spec.taskDefinition.containerDefinitions.flatMap((c, i) =>
    (c.environment ?? []).flatMap((variable, j) =>
      SECRET_NAME.test(variable.name) || SECRET_VALUE.some((re) => re.test(variable.value))
        ? [
            warning(
              'plaintext-secret',
              [...CONTAINERS, i, 'environment', j],
              `environment variable "${variable.name}" looks like a secret in plain text`,
              'move it to secrets: [{name, valueFrom: <Secrets Manager or SSM parameter ARN>}]',
            ),
          ]
        : [],
    ),
  );
}

/** The tag of an image reference, or undefined when it has none; digests (`@sha256:`) are returned as "@digest". */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return '@digest';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : image.slice(colon + 1);
}

export function mutableImages(m: ServiceManifest): Finding[] {
  return m.spec.taskDefinition.containerDefinitions.flatMap((c, i) => {
    const tag = imageTag(c.image);
    if (tag !== undefined && tag !== 'latest') return [];
    const what = tag === undefined ? 'has no tag (means :latest)' : 'uses the mutable tag :latest';
    return [warning('mutable-image', [...CONTAINERS, i, 'image'], `image "${c.image}" ${what}`, 'pin a version tag or a digest (@sha256:...)')];
  });
}

export const KNOWN_ANNOTATIONS = ['ecs-reconciler/adopt', 'ecs-reconciler/allow-replacement'];

export function annotations(m: ServiceManifest): Finding[] {
  return Object.entries(m.metadata.annotations ?? {}).flatMap(([key, value]) => {
    if (!key.startsWith('ecs-reconciler/')) return [];
    const at = ['metadata', 'annotations', key];
    if (!KNOWN_ANNOTATIONS.includes(key)) return [warning('unknown-annotation', at, `unknown annotation "${key}"`, didYouMean(key, KNOWN_ANNOTATIONS))];
    return value === 'true' || value === 'false' ? [] : [error('annotation-value', at, `annotation "${key}" must be "true" or "false"`)];
  });
}

const SERVICE_RULES = [
  fargateTaskSize,
  capacityPlacement,
  awsvpcNetworkConfiguration,
  loadBalancerTarget,
  rolloutTraffic,
  nativeStrategyConfig,
  autoscalingBounds,
  containerReferences,
  plaintextSecrets,
  mutableImages,
  annotations,
];

export function checkService(m: ServiceManifest): Finding[] {
  return SERVICE_RULES.flatMap((rule) => rule(m));
}

/* ------------------------------------------------------------------ analysis */

/** Every AnalysisTemplate reference in a service, with where it is written. */
export function analysisRefs(m: ServiceManifest): Array<{ ref: AnalysisRef; at: PathSegment[] }> {
  const rollout = m.spec.rollout;
  if (rollout?.strategy === 'Canary') {
    const base = ['spec', 'rollout', 'canary'];
    const steps = rollout.canary.steps.flatMap((step, i) => (step.analysis ? [{ ref: step.analysis, at: [...base, 'steps', i, 'analysis'] }] : []));
    return rollout.canary.analysis ? [...steps, { ref: rollout.canary.analysis, at: [...base, 'analysis'] }] : steps;
  }
  if (rollout?.strategy === 'BlueGreen') {
    const base = ['spec', 'rollout', 'blueGreen'];
    return (['prePromotionAnalysis', 'postPromotionAnalysis'] as const).flatMap((field) => {
      const ref = rollout.blueGreen[field];
      return ref ? [{ ref, at: [...base, field] }] : [];
    });
  }
  return [];
}

export function checkAnalysisRefs(m: ServiceManifest, templates: ReadonlyMap<string, AnalysisTemplateManifest | undefined>): Finding[] {
  return analysisRefs(m).flatMap(({ ref, at }) =>
    ref.templates.flatMap((name, i) => {
      if (!templates.has(name)) {
        return [error('analysis-template-ref', [...at, 'templates', i], `AnalysisTemplate "${name}" does not exist`, didYouMean(name, templates.keys()))];
      }
      const template = templates.get(name);
      const provided = new Set<string>([...ROLLOUT_ARG_NAMES, ...(ref.args ?? []).map((a) => a.name)]);
      const missing = (template?.spec.args ?? []).filter((a) => a.value === undefined && !provided.has(a.name)).map((a) => a.name);
      return missing.length ? [error('analysis-args', [...at, 'templates', i], `AnalysisTemplate "${name}" needs args: ${missing.join(', ')}`, 'pass them in args: [{name, value}]')] : [];
    }),
  );
}

const CONDITIONS = ['successCondition', 'failureCondition'] as const;

/** The fields of a metric where the engine substitutes `{{args.NAME}}`: its provider and its conditions. */
function substitutedFields(metric: AnalysisMetric): Array<{ field: string; text: string }> {
  return [
    { field: 'provider', text: JSON.stringify(metric.provider) },
    ...CONDITIONS.flatMap((field) => (metric[field] === undefined ? [] : [{ field, text: metric[field] }])),
  ];
}

/** `{{args.NAME}}` placeholders in a template must name args it declares. */
export function templatePlaceholders(t: AnalysisTemplateManifest): Finding[] {
  const declared = (t.spec.args ?? []).map((a) => a.name);
  return t.spec.metrics.flatMap((metric, i) =>
    substitutedFields(metric).flatMap(({ field, text }) =>
      [...text.matchAll(/\{\{\s*args\.([\w-]+)\s*\}\}/g)].flatMap(([, name]) =>
        name === undefined || declared.includes(name)
          ? []
          : [error('analysis-args', ['spec', 'metrics', i, field], `{{args.${name}}} is not declared in spec.args`, didYouMean(name, declared))],
      ),
    ),
  );
}

/**
 * A condition as the parser will see it, except that each `{{...}}` placeholder stands for a number: arg values are
 * known only per reference, and the docs ask for numbers or quoted strings there. Padding to the placeholder's length
 * keeps the parser's line:column those of the text as written.
 */
function withPlaceholdersAsNumbers(condition: string): string {
  return condition.replace(/\{\{.*?\}\}/g, (placeholder) => '0'.padEnd(placeholder.length));
}

/** successCondition and failureCondition must parse in the analysis condition language, checked offline. */
export function analysisConditions(t: AnalysisTemplateManifest): Finding[] {
  return t.spec.metrics.flatMap((metric, i) =>
    CONDITIONS.flatMap((field) => {
      const condition = metric[field];
      if (condition === undefined) return [];
      try {
        parseExpression(withPlaceholdersAsNumbers(condition));
        return [];
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        return [error('analysis-condition', ['spec', 'metrics', i, field], `${field} does not parse: ${err.message}`, 'see the condition language in docs/analysis.md')];
      }
    }),
  );
}

export function checkAnalysisTemplate(t: AnalysisTemplateManifest): Finding[] {
  return [...templatePlaceholders(t), ...analysisConditions(t)];
}

/* ------------------------------------------------------------------ Notification */

const LOOPBACK_URL = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

/** A plaintext webhook URL is a secret in git; an http:// one beyond loopback also travels unencrypted. */
export function notificationUrls(n: NotificationManifest): Finding[] {
  return (['webhook', 'slack'] as const).flatMap((target) => {
    const url = n.spec[target]?.url;
    const at = ['spec', target, 'url'];
    if (url === undefined) return [];
    const useReference = 'reference it instead: urlFrom: {env: NAME}, with NAME set in the controller\'s environment (e.g. from Secrets Manager by ECS)';
    if (url.startsWith('https://')) return [warning('plaintext-secret', at, `the ${target} URL is a secret, and here it is in git in plaintext`, useReference)];
    if (!LOOPBACK_URL.test(url)) return [warning('unencrypted-url', at, `the ${target} URL is plain http: decisions would travel unencrypted`, useReference)];
    return [];
  });
}

export function notificationTemplate(n: NotificationManifest): Finding[] {
  const template = n.spec.template;
  if (template === undefined) return [];
  return unknownPlaceholders(template).map((name) =>
    error('template-placeholder', ['spec', 'template'], `unknown placeholder {{${name}}}`, didYouMean(name, TEMPLATE_FIELDS) ?? `fields: ${TEMPLATE_FIELDS.join(', ')}`),
  );
}

/* ------------------------------------------------------------------ across documents */

/** What a document declares: a service by `cluster/name`, or an AnalysisTemplate or Notification by name. */
export type DocumentIdentity = { kind: 'Service'; name: string; key: string } | { kind: 'AnalysisTemplate' | 'Notification'; name: string };

/**
 * A document's identity, read from the raw value so identity rules hold even for documents the schema rejected;
 * undefined when the document does not say (the schema reports that).
 */
export function documentIdentity(raw: unknown): DocumentIdentity | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { kind, metadata, spec } = raw as { kind?: unknown; metadata?: { name?: unknown }; spec?: { cluster?: unknown } };
  const name = metadata?.name;
  if (typeof name !== 'string') return undefined;
  if (kind === 'Service') return typeof spec?.cluster === 'string' ? { kind, name, key: serviceKey(spec.cluster, name) } : undefined;
  return kind === 'AnalysisTemplate' || kind === 'Notification' ? { kind, name } : undefined;
}

/** "Service demo/web", "AnalysisTemplate error-rate" or "Notification deploys": unique per load. */
const identityLabel = (id: DocumentIdentity) => (id.kind === 'Service' ? `Service ${id.key}` : `${id.kind} ${id.name}`);

/**
 * What the cross-document rules need of a document: its identity, its manifest when the schema accepted it, and
 * where the paths of `crossDocumentPaths` are written. No parse tree, so a loader can keep it between loads.
 */
export interface DeclaredDocument {
  identity: DocumentIdentity | undefined;
  manifest?: Manifest;
  locate(path: readonly PathSegment[]): SourceLocation;
}

type Locatable = Pick<DeclaredDocument, 'locate'>;

const place = (doc: Locatable, finding: Finding): Diagnostic => placeFinding(doc.locate, finding);

const describeSource = (s: SourceLocation) => `${s.file}:${s.line}`;

const NAME_PATH: PathSegment[] = ['metadata', 'name'];

/** The only paths the cross-document rules report at: the name (duplicates) and each AnalysisTemplate reference. */
export function crossDocumentPaths(manifest: Manifest | undefined): PathSegment[][] {
  const refs = manifest?.kind === 'Service' ? analysisRefs(manifest) : [];
  return [NAME_PATH, ...refs.flatMap(({ ref, at }) => ref.templates.map((_name, i) => [...at, 'templates', i]))];
}

const TIMES = ['', 'once', 'twice'];

/**
 * Every document whose identity another document repeats, with an error naming all places. Each definition gets
 * the error, not only the later ones: a file's errors keep it out of the desired state, so a copy that sorts first
 * must not win over the original (nor the original over the copy) - neither is applied until one definition is left.
 */
function duplicateDocuments(documents: readonly DeclaredDocument[]): Diagnostic[] {
  const byLabel = new Map<string, DeclaredDocument[]>();
  for (const doc of documents) {
    if (doc.identity === undefined) continue;
    const label = identityLabel(doc.identity);
    byLabel.set(label, [...(byLabel.get(label) ?? []), doc]);
  }
  const where = (d: DeclaredDocument) => describeSource(d.locate(NAME_PATH));
  return [...byLabel].flatMap(([label, docs]) => {
    if (docs.length < 2) return [];
    const places = docs.map((d) => `at ${where(d)}`);
    const message = `${label} is defined ${TIMES[docs.length] ?? `${docs.length} times`}: ${places.slice(0, -1).join(', ')} and ${places[places.length - 1]}`;
    const hint = 'none of them is applied: each file keeps its last good state until one definition is left';
    return docs.map((doc) => place(doc, error('duplicate', NAME_PATH, message, hint)));
  });
}

/** AnalysisTemplates by name; a template the schema rejected is present (so it is not "missing") but undefined. */
function declaredTemplates(documents: readonly DeclaredDocument[]): Map<string, AnalysisTemplateManifest | undefined> {
  const templates = new Map<string, AnalysisTemplateManifest | undefined>();
  for (const { identity, manifest } of documents) {
    if (identity?.kind === 'AnalysisTemplate' && !templates.has(identity.name)) {
      templates.set(identity.name, manifest?.kind === 'AnalysisTemplate' ? manifest : undefined);
    }
  }
  return templates;
}

/** The rules that look at one schema-valid document alone: their result depends on nothing else in the load. */
export function checkDocument(doc: Locatable & { manifest?: Manifest }): Diagnostic[] {
  const manifest = doc.manifest;
  if (!manifest) return [];
  const findings =
    manifest.kind === 'Service' ? checkService(manifest) : manifest.kind === 'AnalysisTemplate' ? checkAnalysisTemplate(manifest) : [...notificationUrls(manifest), ...notificationTemplate(manifest)];
  return findings.map((finding) => place(doc, finding));
}

/** The rules that relate documents of a load: duplicates across files and AnalysisTemplate references. */
export function checkAcrossDocuments(documents: readonly DeclaredDocument[]): Diagnostic[] {
  const templates = declaredTemplates(documents);
  const references = documents.flatMap((doc) =>
    doc.manifest?.kind === 'Service' ? checkAnalysisRefs(doc.manifest, templates).map((finding) => place(doc, finding)) : [],
  );
  return [...duplicateDocuments(documents), ...references];
}

/** Runs every rule over all documents of a load. Returns the diagnostics placed at their file positions. */
export function checkDocuments(documents: readonly ParsedDocument[]): Diagnostic[] {
  const declared = documents.map((doc) => ({ identity: documentIdentity(doc.raw), manifest: doc.manifest, locate: doc.locate }));
  return [...checkAcrossDocuments(declared), ...documents.flatMap(checkDocument)];
}
