import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DeleteScalingPolicyCommand,
  DeleteScheduledActionCommand,
  DeregisterScalableTargetCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { ModifyTargetGroupAttributesCommand, ModifyTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/index.js';
import { resolveTaskDefinitionRef } from '../plan/index.js';
import type { PlannedAction } from '../plan/index.js';

/** What the applier needs from a response: the ARN a RegisterTaskDefinition returns, for the actions after it. */
export interface SendResult {
  registeredTaskDefinitionArn?: string;
}

/**
 * Sends one planned action as its SDK command on the client of its API, after replacing a reference to the task
 * definition registered earlier in the plan by its ARN. One action, one `send`.
 */
export async function sendAction(clients: Pick<AwsClients, 'ecs' | 'elbv2' | 'autoscaling'>, action: PlannedAction, registeredArn: string | undefined): Promise<SendResult> {
  switch (action.kind) {
    case 'RegisterTaskDefinition': {
      const output = await clients.ecs.send(new RegisterTaskDefinitionCommand(action.input));
      const arn = output.taskDefinition?.taskDefinitionArn;
      if (!arn) throw new Error('RegisterTaskDefinition returned no taskDefinitionArn');
      return { registeredTaskDefinitionArn: arn };
    }
    case 'CreateService':
      await clients.ecs.send(new CreateServiceCommand(resolveTaskDefinitionRef(action.input, registeredArn)));
      return {};
    case 'UpdateService':
      await clients.ecs.send(new UpdateServiceCommand(resolveTaskDefinitionRef(action.input, registeredArn)));
      return {};
    case 'DeleteService':
      await clients.ecs.send(new DeleteServiceCommand(action.input));
      return {};
    case 'TagResource':
      await clients.ecs.send(new TagResourceCommand(action.input));
      return {};
    case 'UntagResource':
      await clients.ecs.send(new UntagResourceCommand(action.input));
      return {};
    case 'DeregisterTaskDefinition':
      await clients.ecs.send(new DeregisterTaskDefinitionCommand(action.input));
      return {};
    case 'ModifyTargetGroup':
      await clients.elbv2.send(new ModifyTargetGroupCommand(action.input));
      return {};
    case 'ModifyTargetGroupAttributes':
      await clients.elbv2.send(new ModifyTargetGroupAttributesCommand(action.input));
      return {};
    case 'RegisterScalableTarget':
      await clients.autoscaling.send(new RegisterScalableTargetCommand(action.input));
      return {};
    case 'DeregisterScalableTarget':
      await clients.autoscaling.send(new DeregisterScalableTargetCommand(action.input));
      return {};
    case 'PutScalingPolicy':
      await clients.autoscaling.send(new PutScalingPolicyCommand(action.input));
      return {};
    case 'DeleteScalingPolicy':
      await clients.autoscaling.send(new DeleteScalingPolicyCommand(action.input));
      return {};
    case 'PutScheduledAction':
      await clients.autoscaling.send(new PutScheduledActionCommand(action.input));
      return {};
    case 'DeleteScheduledAction':
      await clients.autoscaling.send(new DeleteScheduledActionCommand(action.input));
      return {};
  }
}
