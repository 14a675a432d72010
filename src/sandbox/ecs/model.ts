import type {
  CapacityProviderStrategyItem,
  ClusterSetting,
  ContainerDefinition,
  DeploymentConfiguration,
  DeploymentController,
  LoadBalancer,
  NetworkConfiguration,
  PlacementConstraint,
  PlacementStrategy,
  ServiceRegistry,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { Tag } from './tags.js';

export interface ClusterRecord {
  name: string;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  createdAt: number;
  settings: ClusterSetting[];
  capacityProviders: string[];
  defaultCapacityProviderStrategy: CapacityProviderStrategyItem[];
  tags: Tag[];
}

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  /** As DescribeTaskDefinition returns it, defaults filled in; status and deregisteredAt live beside it. */
  body: TaskDefinition & { containerDefinitions: ContainerDefinition[] };
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  registeredAt: number;
  deregisteredAt?: number;
  tags: Tag[];
}

/** Where a task's container listens and which target groups it belongs in. */
export interface TaskPlacement {
  launchType?: string;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
  networkConfiguration?: NetworkConfiguration;
  loadBalancers: LoadBalancer[];
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface DeploymentRecord extends TaskPlacement {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinitionArn: string;
  desiredCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
}

export interface TaskSetRecord extends TaskPlacement {
  id: string;
  arn: string;
  externalId?: string;
  startedBy?: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  /** CreateTaskSet's idempotency token and a fingerprint of the request it came with. */
  clientToken?: { token: string; request: string };
  taskDefinitionArn: string;
  scale: { value: number; unit: 'PERCENT' };
  serviceRegistries: ServiceRegistry[];
  stabilityStatus: 'STEADY_STATE' | 'STABILIZING';
  stabilityStatusAt: number;
  createdAt: number;
  updatedAt: number;
  tags: Tag[];
}

export interface ServiceEventRecord {
  id: string;
  createdAt: number;
  message: string;
}

export interface ServiceRecord extends TaskPlacement {
  name: string;
  arn: string;
  clusterName: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinitionArn?: string;
  deploymentConfiguration: DeploymentConfiguration;
  deploymentController: DeploymentController;
  healthCheckGracePeriodSeconds?: number;
  placementConstraints: PlacementConstraint[];
  placementStrategy: PlacementStrategy[];
  serviceRegistries: ServiceRegistry[];
  schedulingStrategy: 'REPLICA' | 'DAEMON';
  propagateTags: string;
  enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  availabilityZoneRebalancing?: string;
  roleArn?: string;
  platformFamily?: string;
  createdAt: number;
  createdBy: string;
  deployments: DeploymentRecord[];
  taskSets: TaskSetRecord[];
  /** Newest first, at most 100. */
  events: ServiceEventRecord[];
  /** Task definition of the last deployment that reached COMPLETED: the circuit breaker rolls back to it. */
  lastCompletedDeploymentId?: string;
  lastCompletedTaskDefinitionArn?: string;
  /** True once "has reached a steady state" was reported for the current state; cleared by any change. */
  steadyReported: boolean;
  tags: Tag[];
  /** Native (BLUE_GREEN/LINEAR/CANARY) service deployments and the revisions they move between, newest first. */
  serviceDeployments: ServiceDeploymentRecord[];
  serviceRevisions: ServiceRevisionRecord[];
  /** The revision production traffic goes to between native deployments. */
  productionRevisionArn?: string;
}

export interface ServiceRevisionRecord extends TaskPlacement {
  arn: string;
  deploymentId: string;
  taskDefinitionArn: string;
  /** Per `loadBalancers` entry, the target group this revision's tasks register in. */
  targetGroups: string[];
  createdAt: number;
}

export type ServiceDeploymentStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'SUCCESSFUL'
  | 'STOPPED'
  | 'STOP_REQUESTED'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED';

export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export interface HookRun {
  hookId: string;
  targetArn: string;
  stage: LifecycleStage;
  status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  /** When the hook gives its final answer, and what it is (from the behaviour rules). */
  settlesAt: number;
  outcome: 'SUCCEEDED' | 'FAILED';
}

export interface ServiceDeploymentRecord {
  arn: string;
  createdAt: number;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  stoppedAt?: number;
  /** The revision serving production when the deployment started; absent for a service's first deployment. */
  sourceRevisionArn?: string;
  targetRevisionArn: string;
  status: ServiceDeploymentStatus;
  statusReason: string;
  stage: LifecycleStage;
  stageStartedAt: number;
  /** Share (percent) of production and test traffic the target revision receives. */
  productionWeight: number;
  testWeight: number;
  /** When the scheduler next looks at the alarms of a deployment in flight. */
  nextMonitorAt?: number;
  /** Next production traffic step (LINEAR, CANARY), or the end of BAKE_TIME. */
  waitUntil?: number;
  hooks: HookRun[];
  configuration: DeploymentConfiguration;
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  triggeredAlarmNames: string[];
}

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';

export interface TaskContainerRecord {
  name: string;
  image: string;
  essential: boolean;
  exitCode?: number;
  reason?: string;
}

/** Which group a task belongs to: a rolling deployment or a task set of an EXTERNAL service. */
export interface TaskOwner {
  serviceArn: string;
  deploymentId?: string;
  taskSetId?: string;
}

export interface TaskRecord {
  arn: string;
  id: string;
  clusterName: string;
  owner?: TaskOwner;
  group: string;
  startedBy?: string;
  taskDefinitionArn: string;
  family: string;
  placement: TaskPlacement;
  cpu?: string;
  memory?: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  ip: string;
  /** The first essential container's image: what behaviours match on. */
  image: string;
  containers: TaskContainerRecord[];
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
  /** When the current lifecycle phase ends (or the next health poll is due); earlier wake-ups are stale. */
  nextAt: number;
  /** Load-balancer verdict: undefined until checked; true when every target group reports healthy. */
  lbHealthy?: boolean;
  /** Target groups this task is registered in, with the port. */
  registeredTargets: Array<{ targetGroupArn: string; port: number }>;
  tags: Tag[];
}
