/**
 * Operator requests from the CLI: `promote`, `promote --full`, `abort`, `retry` (any strategy: it also ends the
 * failed-revision hold of a Rolling/Native service, see src/hold) are written as the service tag
 * `ecs-reconciler:request` = `<verb>:<token>`. The controller's next pass applies a request once (its fingerprint
 * goes into the rollout record in the same write as the change it causes). Authorisation is AWS's: the caller's
 * own credentials make the TagResource call, so IAM on `ecs:TagResource` for the service decides who may act.
 */
import { randomBytes } from 'node:crypto';
import { DescribeServicesCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { formatRequest, REQUEST_TAG } from '../index.js';
import type { RequestVerb } from '../index.js';

export interface ServiceRef {
  cluster: string;
  service: string;
}

/**
 * `cluster/name`; `name` with `--cluster`; or a bare `name` that only one of the `known` services has (the
 * services the manifests name, in any cluster). An ambiguous or unknown bare name is an error listing the choices.
 */
export function parseServiceArgument(argument: string, cluster: string | undefined, known: ReadonlyArray<{ cluster: string; name: string }> = []): ServiceRef {
  const parts = argument.split('/');
  if (parts.length === 2 && parts[0] && parts[1]) {
    if (cluster !== undefined && cluster !== parts[0]) throw new Error(`service "${argument}" names cluster ${parts[0]}, but --cluster says ${cluster}`);
    return { cluster: parts[0], service: parts[1] };
  }
  if (parts.length === 1 && argument !== '') {
    if (cluster !== undefined) return { cluster, service: argument };
    const matches = known.filter((ref) => ref.name === argument);
    if (matches.length === 1) return { cluster: matches[0]!.cluster, service: argument };
    const keys = (refs: typeof known) => refs.map((ref) => `${ref.cluster}/${ref.name}`).sort().join(', ');
    if (matches.length > 1) throw new Error(`service "${argument}" is in several clusters: ${keys(matches)}; give it as cluster/name, or pass --cluster`);
    const choices = known.length > 0 ? ` (the manifests name ${keys(known)})` : '';
    throw new Error(`service "${argument}": no manifest names a service of that name${choices}; give it as cluster/name, or pass --cluster`);
  }
  throw new Error(`service "${argument}" must be cluster/name or name (with --cluster)`);
}

/** A token unique enough that two requests never share a fingerprint: time plus randomness. */
export function newRequestToken(now: number = Date.now()): string {
  return `${now.toString(36)}.${randomBytes(4).toString('hex')}`;
}

/** Writes the request tag and returns its value. Fails with AWS's error when the service does not exist. */
export async function sendOperatorRequest(ecs: ECSClient, ref: ServiceRef, verb: RequestVerb, token: string = newRequestToken()): Promise<{ serviceArn: string; request: string }> {
  const described = await ecs.send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }));
  const service = described.services?.find((candidate) => candidate.status !== 'INACTIVE');
  if (!service?.serviceArn) throw new Error(`service ${ref.cluster}/${ref.service} not found`);
  // retry also ends the failed-revision hold of a Rolling/Native service; promote and abort are rollout steps.
  if (verb !== 'retry' && service.deploymentController?.type !== 'EXTERNAL') {
    throw new Error(`service ${ref.cluster}/${ref.service} is not a Canary or BlueGreen service (deployment controller ${service.deploymentController?.type ?? 'ECS'})`);
  }
  const request = formatRequest(verb, token);
  await ecs.send(new TagResourceCommand({ resourceArn: service.serviceArn, tags: [{ key: REQUEST_TAG, value: request }] }));
  return { serviceArn: service.serviceArn, request };
}
