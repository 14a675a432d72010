/**
 * The manifest model: one zod schema gives runtime validation, the TypeScript types (z.output) and the published
 * JSON Schema (z.toJSONSchema on the input side). Field names inside spec.taskDefinition and the service fields are
 * AWS's own (RegisterTaskDefinition / CreateService input, camelCase as the AWS CLI prints them), so a user can paste
 * from `aws ecs describe-task-definition`.
 *
 * Every object is strict: an unknown field is an error (the validator adds a "did you mean" hint). Checks that span
 * one object ("exactly one of") live here; checks across blocks or files live in semantics.ts.
 */
import { z } from 'zod';
import { DECISION_ACTIONS } from '../log/events.js';

export const API_VERSION = 'ecs-reconciler/v1';

/* ------------------------------------------------------------------ shared scalars */

/** "30s", "5m", "1h", "1h30m", or a whole number of seconds. `parseDuration` turns it into seconds. */
export const DURATION_PATTERN = /^(?=\d)(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;
const DURATION_ERROR = 'expected a duration: whole seconds, or a string like "30s", "5m", "1h", "1h30m"';
export const durationSchema = z
  .union([z.int().nonnegative(), z.string().regex(DURATION_PATTERN, { error: DURATION_ERROR })], { error: DURATION_ERROR })
  .meta({ id: 'Duration', description: 'A duration: "30s", "5m", "1h", "1h30m", or whole seconds' });

const ARN_PARTITION = 'arn:aws(?:-[a-z]+)*';
const ACCOUNT = '\\d{12}';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';

export const IAM_ROLE_ARN = new RegExp(`^${ARN_PARTITION}:iam::${ACCOUNT}:role/[\\w+=,.@/-]{1,512}$`);
export const TARGET_GROUP_ARN = new RegExp(
  `^${ARN_PARTITION}:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`,
);
/** ELBv2 target group names: 1-32 alphanumerics or hyphens, not starting or ending with a hyphen. */
export const TARGET_GROUP_NAME = /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/;
export const LISTENER_RULE_ARN = new RegExp(
  `^${ARN_PARTITION}:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/(?:app|net)/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}/[0-9a-f]{16}/[0-9a-f]{16}$`,
);
/** Secrets Manager secret ARN (optionally with the ECS `:json-key:version-stage:version-id` suffix) or SSM parameter ARN. */
export const SECRET_ARN = new RegExp(
  `^${ARN_PARTITION}:(?:secretsmanager:${REGION}:${ACCOUNT}:secret:[\\w/+=.@-]+(?::[^:]*){0,3}|ssm:${REGION}:${ACCOUNT}:parameter/[\\w.\\-/]+)$`,
);
/** A plain SSM parameter name (same region as the task), which ECS also accepts in valueFrom. */
export const SSM_PARAMETER_NAME = /^(?!arn:)[\w.\-/]+$/;

const roleArn = z
  .string()
  .regex(IAM_ROLE_ARN, { error: 'expected an IAM role ARN like arn:aws:iam::123456789012:role/name' });

const anyOf = (...patterns: RegExp[]) => new RegExp(`^(?:${patterns.map((p) => p.source.replace(/^\^|\$$/g, '')).join('|')})$`);

export const targetGroupRefSchema = z
  .string()
  .regex(anyOf(TARGET_GROUP_ARN, TARGET_GROUP_NAME), {
    error: 'expected a target group name (1-32 letters, digits, hyphens) or an ARN like arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/name/0123456789abcdef',
  })
  .meta({ id: 'TargetGroupRef', description: 'Target group name or ARN' });

export const listenerRuleArnSchema = z
  .string()
  .regex(LISTENER_RULE_ARN, {
    error: 'expected a listener rule ARN like arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/my-alb/<16 hex>/<16 hex>/<16 hex>',
  })
  .meta({ id: 'ListenerRuleArn', description: 'ALB listener rule ARN' });

const secretValueFrom = z
  .string()
  .regex(anyOf(SECRET_ARN, SSM_PARAMETER_NAME), {
    error: 'expected a Secrets Manager secret ARN, an SSM parameter ARN, or an SSM parameter name',
  });

const nonEmpty = z.string().min(1);
const keyValue = z.strictObject({ name: nonEmpty, value: z.string() });
const awsTag = z.strictObject({ key: z.string().min(1).max(128), value: z.string().max(256) });
const awsTags = z.array(awsTag).max(50).describe('AWS tags, list form [{key, value}]');
const stringMap = z.record(z.string(), z.string());
/** Labels and annotations: YAML reads `true` or `3` unquoted as non-strings, so say how to fix it. */
const metadataMap = z.record(z.string(), z.string({ error: 'values are strings: quote them, e.g. "true"' }));

/**
 * Requires exactly one of `keys` to be set on an object. Used for the "one of" blocks (canary steps, analysis
 * providers, scaling policies) which keep all alternatives as optional fields, like Argo Rollouts' Go types.
 */
function exactlyOne<T extends Record<string, unknown>>(keys: readonly (keyof T & string)[]) {
  return (value: T, ctx: z.RefinementCtx) => {
    const present = keys.filter((k) => value[k] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? `expected exactly one of: ${keys.join(', ')}`
            : `expected exactly one of: ${keys.join(', ')}; found ${present.join(' and ')}`,
      });
    }
  };
}

/* ------------------------------------------------------------------ task definition (RegisterTaskDefinition input) */

const portMapping = z.strictObject({
  containerPort: z.int().min(0).max(65535).optional(),
  hostPort: z.int().min(0).max(65535).optional(),
  protocol: z.enum(['tcp', 'udp']).optional(),
  name: z.string().optional(),
  appProtocol: z.enum(['http', 'http2', 'grpc']).optional(),
  containerPortRange: z.string().optional(),
});

const healthCheck = z.strictObject({
  command: z.array(z.string()).min(1),
  interval: z.int().min(5).max(300).optional(),
  timeout: z.int().min(2).max(60).optional(),
  retries: z.int().min(1).max(10).optional(),
  startPeriod: z.int().min(0).max(300).optional(),
});

const secretRef = z.strictObject({ name: nonEmpty, valueFrom: secretValueFrom });

const logConfiguration = z.strictObject({
  logDriver: z.enum(['awslogs', 'fluentd', 'gelf', 'json-file', 'journald', 'logentries', 'syslog', 'splunk', 'awsfirelens']),
  options: stringMap.optional(),
  secretOptions: z.array(secretRef).optional(),
});

const linuxParameters = z.strictObject({
  capabilities: z.strictObject({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() }).optional(),
  devices: z
    .array(z.strictObject({ hostPath: nonEmpty, containerPath: z.string().optional(), permissions: z.array(z.enum(['read', 'write', 'mknod'])).optional() }))
    .optional(),
  initProcessEnabled: z.boolean().optional(),
  sharedMemorySize: z.int().positive().optional(),
  tmpfs: z.array(z.strictObject({ containerPath: nonEmpty, size: z.int().positive(), mountOptions: z.array(z.string()).optional() })).optional(),
  maxSwap: z.int().nonnegative().optional(),
  swappiness: z.int().min(0).max(100).optional(),
});

export const containerDefinitionSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, { error: 'container names use letters, digits, hyphens and underscores (1-255)' }),
  image: nonEmpty,
  repositoryCredentials: z.strictObject({ credentialsParameter: nonEmpty }).optional(),
  cpu: z.int().nonnegative().optional(),
  memory: z.int().positive().optional().describe('Hard memory limit in MiB'),
  memoryReservation: z.int().positive().optional().describe('Soft memory limit in MiB'),
  links: z.array(z.string()).optional(),
  portMappings: z.array(portMapping).optional(),
  essential: z.boolean().optional().describe('Defaults to true'),
  restartPolicy: z
    .strictObject({ enabled: z.boolean(), ignoredExitCodes: z.array(z.int()).optional(), restartAttemptPeriod: z.int().min(60).max(1800).optional() })
    .optional(),
  entryPoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  environment: z.array(keyValue).optional(),
  environmentFiles: z.array(z.strictObject({ value: nonEmpty, type: z.literal('s3') })).optional(),
  mountPoints: z.array(z.strictObject({ sourceVolume: nonEmpty, containerPath: nonEmpty, readOnly: z.boolean().optional() })).optional(),
  volumesFrom: z.array(z.strictObject({ sourceContainer: nonEmpty, readOnly: z.boolean().optional() })).optional(),
  linuxParameters: linuxParameters.optional(),
  secrets: z.array(secretRef).optional(),
  dependsOn: z.array(z.strictObject({ containerName: nonEmpty, condition: z.enum(['START', 'COMPLETE', 'SUCCESS', 'HEALTHY']) })).optional(),
  startTimeout: z.int().min(2).max(120).optional(),
  stopTimeout: z.int().min(2).max(120).optional(),
  versionConsistency: z.enum(['enabled', 'disabled']).optional(),
  hostname: z.string().optional(),
  user: z.string().optional(),
  workingDirectory: z.string().optional(),
  disableNetworking: z.boolean().optional(),
  privileged: z.boolean().optional(),
  readonlyRootFilesystem: z.boolean().optional(),
  dnsServers: z.array(z.string()).optional(),
  dnsSearchDomains: z.array(z.string()).optional(),
  extraHosts: z.array(z.strictObject({ hostname: nonEmpty, ipAddress: nonEmpty })).optional(),
  dockerSecurityOptions: z.array(z.string()).optional(),
  interactive: z.boolean().optional(),
  pseudoTerminal: z.boolean().optional(),
  dockerLabels: stringMap.optional(),
  ulimits: z
    .array(
      z.strictObject({
        name: z.enum(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']),
        softLimit: z.int(),
        hardLimit: z.int(),
      }),
    )
    .optional(),
  logConfiguration: logConfiguration.optional(),
  healthCheck: healthCheck.optional(),
  systemControls: z.array(z.strictObject({ namespace: nonEmpty, value: z.string() })).optional(),
  resourceRequirements: z.array(z.strictObject({ value: nonEmpty, type: z.enum(['GPU', 'InferenceAccelerator']) })).optional(),
  firelensConfiguration: z.strictObject({ type: z.enum(['fluentd', 'fluentbit']), options: stringMap.optional() }).optional(),
  credentialSpecs: z.array(z.string()).optional(),
}).meta({ id: 'ContainerDefinition' });

const volume = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, { error: 'volume names use letters, digits, hyphens and underscores (1-255)' }),
  host: z.strictObject({ sourcePath: z.string().optional() }).optional(),
  configuredAtLaunch: z.boolean().optional(),
  dockerVolumeConfiguration: z
    .strictObject({
      scope: z.enum(['task', 'shared']).optional(),
      autoprovision: z.boolean().optional(),
      driver: z.string().optional(),
      driverOpts: stringMap.optional(),
      labels: stringMap.optional(),
    })
    .optional(),
  efsVolumeConfiguration: z
    .strictObject({
      fileSystemId: z.string().regex(/^fs-[0-9a-f]{8,17}$/, { error: 'expected an EFS file system id like fs-0123456789abcdef0' }),
      rootDirectory: z.string().optional(),
      transitEncryption: z.enum(['ENABLED', 'DISABLED']).optional(),
      transitEncryptionPort: z.int().min(1).max(65535).optional(),
      authorizationConfig: z.strictObject({ accessPointId: z.string().optional(), iam: z.enum(['ENABLED', 'DISABLED']).optional() }).optional(),
    })
    .optional(),
});

/** Task-level cpu/memory: AWS takes strings ("512", "1 vCPU", "2 GB"); a YAML number is accepted and kept as its string. */
const taskSize = z
  .union([z.string().min(1), z.int().positive()], { error: 'expected a size: a number, or a string like "1024", "1 vCPU", "2 GB"' })
  .transform(String);

/**
 * Fields `aws ecs describe-task-definition` returns that RegisterTaskDefinition does not accept. Tolerated so a
 * pasted describe output validates, and dropped from the parsed manifest so nothing downstream sees them.
 */
export const READ_ONLY_TASK_DEFINITION_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

const readOnlyNote = 'Read-only field from describe-task-definition; accepted and ignored';
const timestampLike = z.union([z.string(), z.number()]);

function withoutReadOnlyFields<T extends Record<string, unknown>>(td: T): Omit<T, (typeof READ_ONLY_TASK_DEFINITION_FIELDS)[number]> {
  const copy: Record<string, unknown> = { ...td };
  for (const key of READ_ONLY_TASK_DEFINITION_FIELDS) delete copy[key];
  return copy as Omit<T, (typeof READ_ONLY_TASK_DEFINITION_FIELDS)[number]>;
}

export const taskDefinitionSchema = z
  .strictObject({
    family: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, { error: 'family uses letters, digits, hyphens and underscores (1-255)' }),
    taskRoleArn: roleArn.optional(),
    executionRoleArn: roleArn.optional(),
    networkMode: z.enum(['bridge', 'host', 'awsvpc', 'none']).optional(),
    containerDefinitions: z.array(containerDefinitionSchema).min(1),
    volumes: z.array(volume).optional(),
    placementConstraints: z.array(z.strictObject({ type: z.literal('memberOf'), expression: z.string().optional() })).max(10).optional(),
    requiresCompatibilities: z.array(z.enum(['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'])).optional(),
    cpu: taskSize.optional().describe('Task CPU units: "256", "1024", or "1 vCPU"'),
    memory: taskSize.optional().describe('Task memory in MiB: "512", "2048", or "2 GB"'),
    tags: awsTags.optional(),
    pidMode: z.enum(['host', 'task']).optional(),
    ipcMode: z.enum(['host', 'task', 'none']).optional(),
    proxyConfiguration: z
      .strictObject({ type: z.literal('APPMESH').optional(), containerName: nonEmpty, properties: z.array(keyValue).optional() })
      .optional(),
    inferenceAccelerators: z.array(z.strictObject({ deviceName: nonEmpty, deviceType: nonEmpty })).optional(),
    ephemeralStorage: z.strictObject({ sizeInGiB: z.int().min(21).max(200) }).optional(),
    runtimePlatform: z
      .strictObject({
        cpuArchitecture: z.enum(['X86_64', 'ARM64']).optional(),
        operatingSystemFamily: z
          .enum([
            'LINUX',
            'WINDOWS_SERVER_2019_FULL',
            'WINDOWS_SERVER_2019_CORE',
            'WINDOWS_SERVER_2022_FULL',
            'WINDOWS_SERVER_2022_CORE',
            'WINDOWS_SERVER_2025_FULL',
            'WINDOWS_SERVER_2025_CORE',
            'WINDOWS_SERVER_2016_FULL',
            'WINDOWS_SERVER_2004_CORE',
            'WINDOWS_SERVER_20H2_CORE',
          ])
          .optional(),
      })
      .optional(),
    enableFaultInjection: z.boolean().optional(),
    taskDefinitionArn: z.string().optional().describe(readOnlyNote),
    revision: z.int().optional().describe(readOnlyNote),
    status: z.string().optional().describe(readOnlyNote),
    requiresAttributes: z.array(z.unknown()).optional().describe(readOnlyNote),
    compatibilities: z.array(z.string()).optional().describe(readOnlyNote),
    registeredAt: timestampLike.optional().describe(readOnlyNote),
    registeredBy: z.string().optional().describe(readOnlyNote),
    deregisteredAt: timestampLike.optional().describe(readOnlyNote),
    deleteRequestedAt: timestampLike.optional().describe(readOnlyNote),
  })
  .transform(withoutReadOnlyFields)
  .meta({ id: 'TaskDefinition', description: 'RegisterTaskDefinition input, field for field (camelCase as in the AWS CLI JSON)' });

/* ------------------------------------------------------------------ load balancer */

/** ALB target group attributes the controller manages; values are written as AWS expects them (strings). */
const targetGroupAttributes = z.strictObject({
  'deregistration_delay.timeout_seconds': z.int().min(0).max(3600).optional(),
  'slow_start.duration_seconds': z
    .int()
    .refine((seconds) => seconds === 0 || (seconds >= 30 && seconds <= 900), { error: 'slow start is 0 (off) or 30-900 seconds' })
    .optional(),
  'stickiness.enabled': z.boolean().optional(),
  'stickiness.type': z.enum(['lb_cookie', 'app_cookie']).optional(),
  'stickiness.lb_cookie.duration_seconds': z.int().min(1).max(604800).optional(),
  'load_balancing.algorithm.type': z.enum(['round_robin', 'least_outstanding_requests', 'weighted_random']).optional(),
});

export const targetGroupSettingsSchema = z.strictObject({
  healthCheckPath: z.string().regex(/^\//, { error: 'expected a path starting with /' }).optional(),
  healthCheckIntervalSeconds: z.int().min(5).max(300).optional(),
  healthCheckTimeoutSeconds: z.int().min(2).max(120).optional(),
  healthyThresholdCount: z.int().min(2).max(10).optional(),
  unhealthyThresholdCount: z.int().min(2).max(10).optional(),
  matcher: z.strictObject({ httpCode: z.string().optional(), grpcCode: z.string().optional() }).optional(),
  attributes: targetGroupAttributes.optional(),
});

export const loadBalancerSchema = z
  .strictObject({
    containerName: nonEmpty,
    containerPort: z.int().min(1).max(65535),
    targetGroup: targetGroupRefSchema,
    targetGroupSettings: targetGroupSettingsSchema.optional(),
  })
  .meta({ id: 'LoadBalancer', description: 'The container and port behind the load balancer, and the target group (name or ARN) that serves it' });

/* ------------------------------------------------------------------ autoscaling (Application Auto Scaling) */

const targetTracking = z
  .strictObject({
    predefinedMetric: z.enum(['ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization', 'ALBRequestCountPerTarget']).optional(),
    resourceLabel: z
      .string()
      .regex(/^app\/[A-Za-z0-9-]+\/[0-9a-f]{16}\/targetgroup\/[A-Za-z0-9-]+\/[0-9a-f]{16}$/, {
        error: 'expected app/<load-balancer-name>/<id>/targetgroup/<target-group-name>/<id>',
      })
      .optional()
      .describe('Required for ALBRequestCountPerTarget'),
    customizedMetric: z
      .strictObject({
        metricName: nonEmpty,
        namespace: nonEmpty,
        dimensions: z.array(keyValue).optional(),
        statistic: z.enum(['Average', 'Minimum', 'Maximum', 'SampleCount', 'Sum']),
        unit: z.string().optional(),
      })
      .optional(),
    targetValue: z.number().positive(),
    scaleInCooldown: z.int().nonnegative().optional(),
    scaleOutCooldown: z.int().nonnegative().optional(),
    disableScaleIn: z.boolean().optional(),
  })
  .superRefine(exactlyOne(['predefinedMetric', 'customizedMetric']));

const stepScaling = z.strictObject({
  adjustmentType: z.enum(['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity']),
  cooldown: z.int().nonnegative().optional(),
  metricAggregationType: z.enum(['Average', 'Minimum', 'Maximum']).optional(),
  minAdjustmentMagnitude: z.int().positive().optional(),
  stepAdjustments: z
    .array(
      z.strictObject({
        metricIntervalLowerBound: z.number().optional(),
        metricIntervalUpperBound: z.number().optional(),
        scalingAdjustment: z.int(),
      }),
    )
    .min(1),
});

export const scalingPolicySchema = z
  .strictObject({
    name: z.string().regex(/^[\w.-]{1,256}$/, { error: 'policy names use letters, digits, ".", "-" and "_"' }),
    targetTracking: targetTracking.optional(),
    stepScaling: stepScaling.optional(),
  })
  .superRefine(exactlyOne(['targetTracking', 'stepScaling']));

/** at(yyyy-mm-ddThh:mm:ss), rate(value unit), cron(six fields) - Application Auto Scaling's schedule forms. */
export const SCHEDULE_PATTERN = /^(?:at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)|rate\(\d+ (?:minute|minutes|hour|hours|day|days)\)|cron\((?:\S+ ){5}\S+\))$/;

export const scheduledActionSchema = z.strictObject({
  name: z.string().regex(/^[\w.-]{1,256}$/, { error: 'scheduled action names use letters, digits, ".", "-" and "_"' }),
  schedule: z.string().regex(SCHEDULE_PATTERN, { error: 'expected at(2026-01-01T00:00:00), rate(5 minutes) or cron(0 8 * * ? *)' }),
  timezone: z.string().optional().describe('IANA time zone, e.g. Europe/Berlin; default UTC'),
  startTime: z.iso.datetime({ offset: true }).optional(),
  endTime: z.iso.datetime({ offset: true }).optional(),
  minCapacity: z.int().nonnegative().optional(),
  maxCapacity: z.int().nonnegative().optional(),
});

export const autoscalingSchema = z.strictObject({
  minCapacity: z.int().nonnegative(),
  maxCapacity: z.int().nonnegative(),
  suspendedState: z
    .strictObject({
      dynamicScalingInSuspended: z.boolean().optional(),
      dynamicScalingOutSuspended: z.boolean().optional(),
      scheduledScalingSuspended: z.boolean().optional(),
    })
    .optional(),
  policies: z.array(scalingPolicySchema).optional(),
  scheduledActions: z.array(scheduledActionSchema).optional(),
}).meta({ id: 'Autoscaling' });

/* ------------------------------------------------------------------ rollout */

const deploymentCircuitBreaker = z.strictObject({ enable: z.boolean(), rollback: z.boolean() });
const deploymentAlarms = z.strictObject({ alarmNames: z.array(nonEmpty).min(1), enable: z.boolean(), rollback: z.boolean() });

const analysisArg = z.strictObject({ name: nonEmpty, value: z.string() });

/** Runs AnalysisTemplates by name; `args` fill or override the templates' declared args. */
export const analysisRefSchema = z.strictObject({
  templates: z.array(nonEmpty).min(1),
  args: z.array(analysisArg).optional(),
}).meta({ id: 'AnalysisRef' });

const WEIGHT_ERROR = 'weights are whole percentages from 0 to 100';
const weightPercent = z.int({ error: WEIGHT_ERROR }).min(0, { error: WEIGHT_ERROR }).max(100, { error: WEIGHT_ERROR });

export const canaryStepSchema = z
  .strictObject({
    setWeight: weightPercent.optional().describe('Percent of traffic to the canary target group'),
    pause: z.strictObject({ duration: durationSchema.optional() }).optional().describe('Without a duration, waits for promote'),
    analysis: analysisRefSchema.optional(),
    setCanaryScale: z
      .strictObject({
        weight: weightPercent.optional(),
        replicas: z.int().nonnegative().optional(),
        matchTrafficWeight: z.boolean().optional(),
      })
      .superRefine(exactlyOne(['weight', 'replicas', 'matchTrafficWeight']))
      .optional(),
  })
  .superRefine(exactlyOne(['setWeight', 'pause', 'analysis', 'setCanaryScale']))
  .meta({ id: 'CanaryStep', description: 'Exactly one of setWeight, pause, analysis, setCanaryScale', minProperties: 1, maxProperties: 1 });

const backgroundAnalysis = analysisRefSchema.extend({
  startingStep: z.int().nonnegative().optional().describe('Index of the step at which background analysis starts; default 0'),
});

const progressDeadlineSeconds = z.int().positive().optional().describe('Abort when a step makes no progress for this long; default 600');
const scaleDownDelaySeconds = z.int().nonnegative().optional().describe('Seconds the old task set keeps running after promotion; default 30');
const abortScaleDownDelaySeconds = z.int().nonnegative().optional().describe('Seconds the new task set keeps running after an abort; default 30');

export const rollingConfigSchema = z.strictObject({
  minimumHealthyPercent: z.int().min(0).max(100).optional(),
  maximumPercent: z.int().min(100).max(200).optional(),
  deploymentCircuitBreaker: deploymentCircuitBreaker.optional(),
  alarms: deploymentAlarms.optional(),
  progressDeadlineSeconds: z
    .int()
    .positive()
    .optional()
    .describe('A deployment not completed this long after it started has failed: the revision is held (not redeployed); default none'),
});

export const canaryConfigSchema = z.strictObject({
  stableTargetGroup: targetGroupRefSchema,
  canaryTargetGroup: targetGroupRefSchema,
  listenerRule: listenerRuleArnSchema,
  steps: z.array(canaryStepSchema).min(1),
  analysis: backgroundAnalysis.optional().describe('Background analysis for the whole rollout'),
  scaleDownDelaySeconds,
  abortScaleDownDelaySeconds,
  progressDeadlineSeconds,
});

export const blueGreenConfigSchema = z.strictObject({
  activeTargetGroup: targetGroupRefSchema,
  previewTargetGroup: targetGroupRefSchema,
  productionListenerRule: listenerRuleArnSchema,
  testListenerRule: listenerRuleArnSchema.optional().describe('Points at the preview group before promotion; omit for no preview traffic'),
  prePromotionAnalysis: analysisRefSchema.optional(),
  postPromotionAnalysis: analysisRefSchema.optional(),
  autoPromotionEnabled: z.boolean().optional().describe('Default true'),
  autoPromotionSeconds: z.int().positive().optional(),
  scaleDownDelaySeconds,
  abortScaleDownDelaySeconds,
  progressDeadlineSeconds,
});

export const nativeConfigSchema = z.strictObject({
  strategy: z.enum(['BLUE_GREEN', 'LINEAR', 'CANARY']),
  bakeTimeInMinutes: z.int().min(0).max(1440).optional(),
  canaryConfiguration: z
    .strictObject({ canaryPercent: z.number().min(0.1).max(100).optional(), canaryBakeTimeInMinutes: z.int().min(0).max(1440).optional() })
    .optional(),
  linearConfiguration: z
    .strictObject({ stepPercent: z.number().min(3).max(100).optional(), stepBakeTimeInMinutes: z.int().min(0).max(1440).optional() })
    .optional(),
  lifecycleHooks: z
    .array(
      z.strictObject({
        targetType: z.enum(['AWS_LAMBDA', 'PAUSE']).optional(),
        hookTargetArn: z.string().optional(),
        roleArn: roleArn.optional(),
        lifecycleStages: z
          .array(
            z.enum([
              'RECONCILE_SERVICE',
              'PRE_SCALE_UP',
              'POST_SCALE_UP',
              'TEST_TRAFFIC_SHIFT',
              'POST_TEST_TRAFFIC_SHIFT',
              'PRE_PRODUCTION_TRAFFIC_SHIFT',
              'PRODUCTION_TRAFFIC_SHIFT',
              'POST_PRODUCTION_TRAFFIC_SHIFT',
            ]),
          )
          .min(1),
        hookDetails: z.unknown().optional(),
        timeoutConfiguration: z
          .strictObject({ timeoutInMinutes: z.int().positive().optional(), action: z.enum(['ROLLBACK', 'CONTINUE']).optional() })
          .optional(),
      }),
    )
    .optional(),
  minimumHealthyPercent: z.int().min(0).max(100).optional(),
  maximumPercent: z.int().min(100).max(200).optional(),
  deploymentCircuitBreaker: deploymentCircuitBreaker.optional(),
  alarms: deploymentAlarms.optional(),
  advancedConfiguration: z.strictObject({
    alternateTargetGroup: targetGroupRefSchema,
    productionListenerRule: listenerRuleArnSchema,
    testListenerRule: listenerRuleArnSchema.optional(),
    roleArn,
  }),
});

/**
 * Operator actions from git. Values are request tokens: the controller acts once per distinct token, so leaving
 * the field in place (or re-committing it) is idempotent; a new token asks again.
 */
export const rolloutOperatorSchema = z.strictObject({
  promote: z.string().min(1).optional().describe('Token; a new value promotes to the next step'),
  promoteFull: z.boolean().optional().describe('With promote: skip all remaining steps'),
  abort: z.boolean().optional().describe('While true, the rollout is aborted and stays on the stable version'),
  retry: z.string().min(1).optional().describe('Token; a new value retries an aborted rollout'),
}).meta({ id: 'RolloutOperator' });

const operator = rolloutOperatorSchema.optional();

export const rolloutSchema = z
  .discriminatedUnion(
    'strategy',
    [
      z.strictObject({ strategy: z.literal('Rolling'), rolling: rollingConfigSchema.optional(), operator }),
      z.strictObject({ strategy: z.literal('Canary'), canary: canaryConfigSchema, operator }),
      z.strictObject({ strategy: z.literal('BlueGreen'), blueGreen: blueGreenConfigSchema, operator }),
      z.strictObject({ strategy: z.literal('Native'), native: nativeConfigSchema, operator }),
    ],
    { error: 'expected strategy: Rolling, Canary, BlueGreen or Native' },
  )
  .meta({ id: 'Rollout', description: 'How new versions ship; default Rolling with ECS defaults' });

/* ------------------------------------------------------------------ service */

export const metadataSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, { error: 'names use letters, digits, hyphens and underscores (1-255)' }).describe('The ECS service name'),
  labels: metadataMap.optional(),
  annotations: metadataMap.optional().describe('e.g. ecs-reconciler/adopt: "true", ecs-reconciler/allow-replacement: "true"'),
}).meta({ id: 'Metadata' });

export const serviceSpecSchema = z.strictObject({
  cluster: nonEmpty.describe('Cluster name or ARN'),
  desiredCount: z.int().nonnegative().optional().describe('Ignored while autoscaling owns the count'),
  launchType: z.enum(['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES']).optional(),
  capacityProviderStrategy: z
    .array(
      z.strictObject({
        capacityProvider: nonEmpty,
        weight: z.int().min(0).max(1000).optional(),
        base: z.int().min(0).max(100000).optional(),
      }),
    )
    .min(1)
    .max(20)
    .optional(),
  platformVersion: z.string().optional(),
  networkConfiguration: z
    .strictObject({
      awsvpcConfiguration: z.strictObject({
        subnets: z.array(nonEmpty).min(1).max(16),
        securityGroups: z.array(nonEmpty).max(5).optional(),
        assignPublicIp: z.enum(['ENABLED', 'DISABLED']).optional(),
      }),
    })
    .optional(),
  healthCheckGracePeriodSeconds: z.int().min(0).max(2147483647).optional(),
  enableExecuteCommand: z.boolean().optional(),
  enableECSManagedTags: z.boolean().optional(),
  propagateTags: z.enum(['TASK_DEFINITION', 'SERVICE', 'NONE']).optional(),
  placementConstraints: z
    .array(z.strictObject({ type: z.enum(['distinctInstance', 'memberOf']), expression: z.string().optional() }))
    .max(10)
    .optional(),
  placementStrategy: z
    .array(z.strictObject({ type: z.enum(['random', 'spread', 'binpack']), field: z.string().optional() }))
    .max(5)
    .optional(),
  serviceRegistries: z
    .array(
      z.strictObject({
        registryArn: nonEmpty,
        port: z.int().optional(),
        containerName: z.string().optional(),
        containerPort: z.int().optional(),
      }),
    )
    .optional(),
  tags: awsTags.optional(),
  taskDefinition: taskDefinitionSchema,
  loadBalancer: loadBalancerSchema.optional(),
  autoscaling: autoscalingSchema.optional(),
  rollout: rolloutSchema.optional(),
});

export const serviceManifestSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('Service'),
    metadata: metadataSchema,
    spec: serviceSpecSchema,
  })
  .meta({ id: 'Service', description: 'An ECS service, its task definition, load balancer, autoscaling and rollout' });

/* ------------------------------------------------------------------ analysis template */

const metricDataQuery = z
  .strictObject({
    id: z.string().regex(/^[a-z][A-Za-z0-9_]*$/, { error: 'query ids start with a lowercase letter, then letters, digits or "_"' }),
    expression: z.string().optional(),
    metricStat: z
      .strictObject({
        metric: z.strictObject({ namespace: nonEmpty, metricName: nonEmpty, dimensions: z.array(keyValue).max(30).optional() }),
        period: z.int().positive(),
        stat: nonEmpty,
        unit: z.string().optional(),
      })
      .optional(),
    label: z.string().optional(),
    returnData: z.boolean().optional(),
    period: z.int().positive().optional(),
  })
  .superRefine(exactlyOne(['expression', 'metricStat']));

export const analysisProviderSchema = z
  .strictObject({
    cloudwatch: z
      .strictObject({
        metricDataQueries: z.array(metricDataQuery).min(1).max(500),
        period: durationSchema.optional().describe('Look-back window ending now; default 5m'),
      })
      .optional(),
    cloudwatchAlarm: z.strictObject({ alarmName: nonEmpty }).optional(),
    prometheus: z
      .strictObject({ address: z.url(), query: nonEmpty, timeoutSeconds: z.int().positive().optional() })
      .optional(),
    web: z
      .strictObject({
        url: nonEmpty,
        method: z.enum(['GET', 'POST', 'PUT']).optional(),
        headers: z.array(z.strictObject({ key: nonEmpty, value: z.string() })).optional(),
        body: z.string().optional(),
        jsonPath: z.string().optional(),
        timeoutSeconds: z.int().positive().optional(),
      })
      .optional(),
  })
  .superRefine(exactlyOne(['cloudwatch', 'cloudwatchAlarm', 'prometheus', 'web']))
  .meta({ id: 'AnalysisProvider', description: 'Exactly one of cloudwatch, cloudwatchAlarm, prometheus, web', minProperties: 1, maxProperties: 1 });

export const analysisMetricSchema = z.strictObject({
  name: nonEmpty,
  interval: durationSchema.optional().describe('Time between measurements'),
  count: z.int().positive().optional().describe('Number of measurements; default 1 (inline), unbounded (background)'),
  initialDelay: durationSchema.optional(),
  successCondition: z.string().min(1).optional().describe('Expression over `result`, e.g. result[0] < 0.05'),
  failureCondition: z.string().min(1).optional(),
  failureLimit: z.int().nonnegative().optional().describe('Default 0'),
  inconclusiveLimit: z.int().nonnegative().optional().describe('Default 0'),
  consecutiveErrorLimit: z.int().nonnegative().optional().describe('Default 4'),
  provider: analysisProviderSchema,
});

export const analysisTemplateManifestSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('AnalysisTemplate'),
    metadata: metadataSchema,
    spec: z.strictObject({
      args: z
        .array(z.strictObject({ name: nonEmpty, value: z.string().optional().describe('Default; without one, every caller must pass it') }))
        .optional(),
      metrics: z.array(analysisMetricSchema).min(1),
    }),
  })
  .meta({ id: 'AnalysisTemplate', description: 'Metrics that decide whether a rollout step passes' });

/* ------------------------------------------------------------------ Notification */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

/** Webhook URLs are secrets: written in git only as a reference to where the controller finds them. */
const urlTargetSchema = z
  .strictObject({
    url: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s]+$/, { error: 'an http:// or https:// URL' })
      .optional()
      .describe('The URL in plaintext: it is a secret, so prefer urlFrom (validate warns)'),
    urlFrom: z
      .strictObject({
        env: z.string().regex(ENV_NAME, { error: 'an environment variable name: letters, digits and _, not starting with a digit' }).optional().describe("One of the controller's environment variables"),
        secretsManager: z
          .strictObject({
            secretId: z.string().min(1).max(2048).describe('The secret name or ARN'),
            jsonKey: z.string().min(1).optional().describe('The secret is a JSON object: the URL is this key'),
          })
          .optional()
          .describe('A Secrets Manager secret the controller reads (GetSecretValue)'),
      })
      .refine((from) => (from.env === undefined) !== (from.secretsManager === undefined), { error: 'give exactly one of env or secretsManager' })
      .optional()
      .describe('Where the controller reads the URL: an environment variable or a Secrets Manager secret'),
  })
  .refine((target) => (target.url === undefined) !== (target.urlFrom === undefined), { error: 'give exactly one of url or urlFrom' });

export const notificationManifestSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('Notification'),
    metadata: metadataSchema,
    spec: z
      .strictObject({
        events: z
          .array(z.enum(DECISION_ACTIONS))
          .min(1)
          .optional()
          .describe('The decision actions to send (docs/observability.md "Decisions"); default all'),
        selector: z
          .strictObject({ matchLabels: metadataMap.describe('Every label must be on the service (metadata.labels)') })
          .optional()
          .describe('Only services whose labels match; default every service'),
        template: z.string().min(1).max(2000).optional().describe('The message text, with {{field}} placeholders: key, cluster, service, action, outcome, reason, from, to, requestedBy, revision, time'),
        webhook: urlTargetSchema.optional().describe('POSTs the decision as a JSON body'),
        slack: urlTargetSchema.optional().describe('POSTs {text} to a Slack incoming webhook'),
        sns: z
          .strictObject({ topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, { error: 'an SNS topic ARN' }) })
          .optional()
          .describe('Publishes the decision (JSON) to an SNS topic'),
      })
      .refine((spec) => spec.webhook !== undefined || spec.slack !== undefined || spec.sns !== undefined, { error: 'a Notification needs a target: webhook, slack or sns' }),
  })
  .meta({ id: 'Notification', description: 'Sends decisions (rollout steps, aborts, holds, ...) to a webhook, Slack or SNS' });

export const manifestSchema = z.discriminatedUnion('kind', [serviceManifestSchema, analysisTemplateManifestSchema, notificationManifestSchema]);

/* ------------------------------------------------------------------ types */

export type Duration = z.output<typeof durationSchema>;
export type Metadata = z.output<typeof metadataSchema>;
export type ContainerDefinition = z.output<typeof containerDefinitionSchema>;
export type TaskDefinitionSpec = z.output<typeof taskDefinitionSchema>;
export type TargetGroupSettings = z.output<typeof targetGroupSettingsSchema>;
export type LoadBalancerSpec = z.output<typeof loadBalancerSchema>;
export type ScalingPolicySpec = z.output<typeof scalingPolicySchema>;
export type ScheduledActionSpec = z.output<typeof scheduledActionSchema>;
export type AutoscalingSpec = z.output<typeof autoscalingSchema>;
export type AnalysisRef = z.output<typeof analysisRefSchema>;
export type CanaryStep = z.output<typeof canaryStepSchema>;
export type RollingConfig = z.output<typeof rollingConfigSchema>;
export type CanaryConfig = z.output<typeof canaryConfigSchema>;
export type BlueGreenConfig = z.output<typeof blueGreenConfigSchema>;
export type NativeConfig = z.output<typeof nativeConfigSchema>;
export type RolloutOperator = z.output<typeof rolloutOperatorSchema>;
export type RolloutSpec = z.output<typeof rolloutSchema>;
export type RolloutStrategy = RolloutSpec['strategy'];
export type ServiceSpec = z.output<typeof serviceSpecSchema>;
export type ServiceManifest = z.output<typeof serviceManifestSchema>;
export type AnalysisProvider = z.output<typeof analysisProviderSchema>;
export type AnalysisMetric = z.output<typeof analysisMetricSchema>;
export type AnalysisTemplateManifest = z.output<typeof analysisTemplateManifestSchema>;
export type NotificationManifest = z.output<typeof notificationManifestSchema>;
export type Manifest = z.output<typeof manifestSchema>;

/** What users write (before defaults and normalization), e.g. for building manifests in tests. */
export type ServiceManifestInput = z.input<typeof serviceManifestSchema>;
export type AnalysisTemplateManifestInput = z.input<typeof analysisTemplateManifestSchema>;
export type NotificationManifestInput = z.input<typeof notificationManifestSchema>;
