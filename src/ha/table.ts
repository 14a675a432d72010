/**
 * The lease table on DynamoDB: every write that changes who holds a lease is conditional on what the writer last
 * read, so two replicas can never both take the same lease. Schema (docs/ha.md): one string hash key `pk`;
 *   pk = "config"             {shards}                                   written once, by the first replica
 *   pk = "lease#<shard>"      {holder?, version, token, leaseDurationMs, renewedAt}
 *   pk = "replica#<id>"       {version, leaseDurationMs, expiresAt}      heartbeat; expiresAt (epoch s) for TTL
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HeartbeatRecord, LeaseRecord } from './lease.js';

/** How long a dead replica's heartbeat item lingers before DynamoDB's TTL may delete it. */
const HEARTBEAT_TTL_SECONDS = 3600;

type Item = Record<string, AttributeValue>;

export interface TableContents {
  shards: number | undefined;
  leases: LeaseRecord[];
  heartbeats: HeartbeatRecord[];
}

/** What the elector needs from the table; `undefined` from a write means another replica got there first. */
export interface LeaseTable {
  /** Records `shards` as the table's shard count unless one is recorded already; returns the recorded one. */
  claimShardCount(shards: number): Promise<number>;
  read(): Promise<TableContents>;
  /** Takes the lease from the state last read (`previous`, or no item at all); bumps the fencing token. */
  take(shard: number, replicaId: string, previous: LeaseRecord | undefined, leaseDurationMs: number): Promise<LeaseRecord | undefined>;
  renew(shard: number, replicaId: string, token: number, leaseDurationMs: number): Promise<LeaseRecord | undefined>;
  release(shard: number, replicaId: string, token: number): Promise<boolean>;
  heartbeat(replicaId: string, leaseDurationMs: number): Promise<void>;
  removeHeartbeat(replicaId: string): Promise<void>;
}

const leaseKey = (shard: number): Item => ({ pk: { S: `lease#${shard}` } });
const num = (value: number): AttributeValue => ({ N: String(value) });
const str = (value: string): AttributeValue => ({ S: value });

function numberOf(item: Item, name: string): number {
  const value = item[name]?.N;
  if (value === undefined) throw new Error(`lease table item ${item.pk?.S ?? '?'} has no number ${name}`);
  return Number(value);
}

function toLease(item: Item): LeaseRecord {
  const holder = item.holder?.S;
  return {
    shard: Number((item.pk?.S ?? '').slice('lease#'.length)),
    ...(holder !== undefined ? { holder } : {}),
    version: numberOf(item, 'version'),
    token: numberOf(item, 'token'),
    leaseDurationMs: numberOf(item, 'leaseDurationMs'),
  };
}

function toHeartbeat(item: Item): HeartbeatRecord {
  return { replicaId: (item.pk?.S ?? '').slice('replica#'.length), version: numberOf(item, 'version'), leaseDurationMs: numberOf(item, 'leaseDurationMs') };
}

/** Runs a conditional write; a failed condition (someone else wrote first) yields `undefined`. */
async function conditional<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

const epochSeconds = () => Math.floor(Date.now() / 1000);

export function dynamoLeaseTable(client: DynamoDBClient, tableName: string): LeaseTable {
  const update = async (key: Item, expression: string, condition: string, values: Item, names?: Record<string, string>): Promise<Item> => {
    const output = await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return output.Attributes ?? {};
  };

  return {
    async claimShardCount(shards) {
      const put = await conditional(() =>
        client.send(new PutItemCommand({ TableName: tableName, Item: { pk: str('config'), shards: num(shards) }, ConditionExpression: 'attribute_not_exists(pk)' })),
      );
      if (put !== undefined) return shards;
      const recorded = (await this.read()).shards;
      if (recorded === undefined) throw new Error(`lease table ${tableName}: the config item exists but has no shard count`);
      return recorded;
    },

    async read() {
      const contents: TableContents = { shards: undefined, leases: [], heartbeats: [] };
      let startKey: Item | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
        for (const item of page.Items ?? []) {
          const pk = item.pk?.S ?? '';
          if (pk === 'config') contents.shards = numberOf(item, 'shards');
          else if (pk.startsWith('lease#')) contents.leases.push(toLease(item));
          else if (pk.startsWith('replica#')) contents.heartbeats.push(toHeartbeat(item));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return contents;
    },

    take(shard, replicaId, previous, leaseDurationMs) {
      if (previous === undefined) {
        const item = { ...leaseKey(shard), holder: str(replicaId), version: num(1), token: num(1), leaseDurationMs: num(leaseDurationMs), renewedAt: num(Date.now()) };
        return conditional(async () => {
          await client.send(new PutItemCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
          return toLease(item);
        });
      }
      // Exactly the record last read, whether held (and expired) or released: any write in between wins the race.
      const expected = previous.holder === undefined ? 'attribute_not_exists(holder)' : 'holder = :previousHolder';
      return conditional(async () =>
        toLease(
          await update(
            leaseKey(shard),
            'SET holder = :me, version = :nextVersion, #token = :nextToken, leaseDurationMs = :duration, renewedAt = :now',
            `${expected} AND version = :previousVersion`,
            {
              ':me': str(replicaId),
              ':nextVersion': num(previous.version + 1),
              ':nextToken': num(previous.token + 1),
              ':duration': num(leaseDurationMs),
              ':now': num(Date.now()),
              ':previousVersion': num(previous.version),
              ...(previous.holder === undefined ? {} : { ':previousHolder': str(previous.holder) }),
            },
            { '#token': 'token' },
          ),
        ),
      );
    },

    renew(shard, replicaId, token, leaseDurationMs) {
      return conditional(async () =>
        toLease(
          await update(
            leaseKey(shard),
            'SET version = version + :one, leaseDurationMs = :duration, renewedAt = :now',
            'holder = :me AND #token = :token',
            { ':one': num(1), ':duration': num(leaseDurationMs), ':now': num(Date.now()), ':me': str(replicaId), ':token': num(token) },
            { '#token': 'token' },
          ),
        ),
      );
    },

    async release(shard, replicaId, token) {
      const released = await conditional(() =>
        update(leaseKey(shard), 'REMOVE holder SET version = version + :one', 'holder = :me AND #token = :token', { ':one': num(1), ':me': str(replicaId), ':token': num(token) }, { '#token': 'token' }),
      );
      return released !== undefined;
    },

    async heartbeat(replicaId, leaseDurationMs) {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: str(`replica#${replicaId}`) },
          UpdateExpression: 'ADD version :one SET leaseDurationMs = :duration, expiresAt = :expiresAt',
          ExpressionAttributeValues: { ':one': num(1), ':duration': num(leaseDurationMs), ':expiresAt': num(epochSeconds() + HEARTBEAT_TTL_SECONDS) },
        }),
      );
    },

    async removeHeartbeat(replicaId) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: str(`replica#${replicaId}`) } }));
    },
  };
}

/**
 * Creates the table (on-demand, hash key `pk`) unless it exists, and waits until it is ACTIVE. For first runs and
 * tests; production creates it with deploy/cloudformation.yaml, and the task role may not create tables.
 */
export async function ensureLeaseTable(client: DynamoDBClient, tableName: string, options: { pollMs?: number; timeoutMs?: number } = {}): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'created';
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    outcome = 'exists';
  }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const status = await client
      .send(new DescribeTableCommand({ TableName: tableName }))
      .then((output) => output.Table?.TableStatus)
      .catch((error: unknown) => {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      });
    if (status === 'ACTIVE') return outcome;
    if (Date.now() >= deadline) throw new Error(`lease table ${tableName} is not ACTIVE after ${options.timeoutMs ?? 60_000} ms (status ${status ?? 'missing'})`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}
