import { autoscalingService } from './autoscaling/service.js';
import { cloudwatchService } from './cloudwatch/service.js';
import type { SandboxServiceFactory } from './core/service.js';
import { ecsService } from './ecs/service.js';
import { elbv2Service } from './elbv2/service.js';
import { secretsManagerService } from './secretsmanager/service.js';
import { snsService } from './sns/service.js';

/** Every simulated service, in tick order: ECS moves tasks, then the load balancer checks them, then scaling and metrics follow; SNS and Secrets Manager have no lifecycle. */
export const SANDBOX_SERVICES: SandboxServiceFactory[] = [ecsService, elbv2Service, autoscalingService, cloudwatchService, snsService, secretsManagerService];
