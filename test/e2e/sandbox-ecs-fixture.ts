import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { expect } from 'vitest';

/** The error a call fails with; fails the test if the call succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

export async function setBehaviour(endpoint: string, behaviour: object): Promise<void> {
  const response = await fetch(`${endpoint}/_sandbox/behaviours`, { method: 'POST', body: JSON.stringify(behaviour) });
  expect(response.status).toBe(200);
}

export async function clearBehaviours(endpoint: string): Promise<void> {
  await fetch(`${endpoint}/_sandbox/behaviours`, { method: 'DELETE' });
}

export const awsvpc = { awsvpcConfiguration: { subnets: ['subnet-a'] } };

/** The smallest Fargate task definition: one container `app` listening on 8080. */
export function fargateTaskDefinition(family: string, image: string): RegisterTaskDefinitionCommandInput {
  return {
    family,
    cpu: '256',
    memory: '512',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    containerDefinitions: [{ name: 'app', image, portMappings: [{ containerPort: 8080 }] }],
  };
}
