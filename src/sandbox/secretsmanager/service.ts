/**
 * AWS Secrets Manager over awsJson1_1, as much as the controller reads: CreateSecret, PutSecretValue (a new
 * current version, i.e. a rotation) and GetSecretValue by name or ARN. Secret strings only; values are shown in
 * `GET /_sandbox/state` (it is a sandbox: do not put real secrets in it).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError } from '../core/errors.js';
import type { Handlers, SandboxServiceFactory } from '../core/service.js';

export const SECRETS_MANAGER_TARGET_PREFIX = 'secretsmanager';

/** Secrets Manager's limits: names of 1-512 of these characters, values up to 65,536 bytes. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const MAX_SECRET_BYTES = 65_536;

interface Secret {
  arn: string;
  name: string;
  value: string;
  versionId: string;
  createdAt: number;
}

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

export class SecretsState {
  private readonly byName = new Map<string, Secret>();

  constructor(private readonly scope: { region: string; accountId: string }) {}

  private checkValue(value: unknown): string {
    if (typeof value !== 'string') throw invalid('You must provide SecretString (binary secrets are not simulated).');
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw invalid('SecretString is longer than 65536 bytes.');
    return value;
  }

  create(input: { Name?: unknown; SecretString?: unknown }, now: number): Secret {
    const name = input.Name;
    if (typeof name !== 'string' || !SECRET_NAME.test(name)) throw invalid('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    if (this.byName.has(name)) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    // Like AWS: the ARN ends with a hyphen and six random characters.
    const arn = `arn:aws:secretsmanager:${this.scope.region}:${this.scope.accountId}:secret:${name}-${randomBytes(3).toString('hex')}`;
    const secret = { arn, name, value: this.checkValue(input.SecretString), versionId: randomUUID(), createdAt: now };
    this.byName.set(name, secret);
    return secret;
  }

  find(id: unknown): Secret {
    const secret = typeof id === 'string' ? (this.byName.get(id) ?? [...this.byName.values()].find((candidate) => candidate.arn === id)) : undefined;
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  put(input: { SecretId?: unknown; SecretString?: unknown }, now: number): Secret {
    const secret = this.find(input.SecretId);
    Object.assign(secret, { value: this.checkValue(input.SecretString), versionId: randomUUID(), createdAt: now });
    return secret;
  }

  snapshot(): unknown {
    return { secrets: [...this.byName.values()].map(({ arn, name, value, versionId }) => ({ arn, name, value, versionId })) };
  }
}

function handlers(state: SecretsState): Handlers {
  return {
    CreateSecret: (input: { Name?: unknown; SecretString?: unknown }, ctx) => {
      const secret = state.create(input, ctx.now);
      return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId };
    },
    PutSecretValue: (input: { SecretId?: unknown; SecretString?: unknown }, ctx) => {
      const secret = state.put(input, ctx.now);
      return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId, VersionStages: ['AWSCURRENT'] };
    },
    GetSecretValue: (input: { SecretId?: unknown }) => {
      const secret = state.find(input.SecretId);
      return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId, SecretString: secret.value, VersionStages: ['AWSCURRENT'], CreatedDate: new Date(secret.createdAt) };
    },
  };
}

export const secretsManagerService: SandboxServiceFactory = (ctx) => {
  const state = new SecretsState({ region: ctx.region, accountId: ctx.accountId });
  ctx.api.registerJsonService({ name: 'secretsmanager', targetPrefix: SECRETS_MANAGER_TARGET_PREFIX, handlers: handlers(state) });
  return { name: 'secretsmanager', state: () => state.snapshot() };
};
