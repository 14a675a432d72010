import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * moto, an AWS simulator nobody on this project wrote (Python, `python3 -m moto.server`), as a second opinion on
 * the sandbox. The machines have it preinstalled; pip cannot reach its registry here, so CI cannot install it.
 */
export const MOTO_INSTALL_HINT = 'install the Python package "moto[server]" (pip install "moto[server]")';

/** Whether `python3 -m moto.server` can start, as a sentence for a skipped test's title when it cannot. */
export function motoAvailability(): { available: true } | { available: false; why: string } {
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { encoding: 'utf8' });
  if (probe.error) return { available: false, why: `python3 is missing (${probe.error.message}); ${MOTO_INSTALL_HINT}` };
  if (probe.status !== 0) return { available: false, why: `python3 cannot import moto.server; ${MOTO_INSTALL_HINT}` };
  return { available: true };
}

export interface RunningMoto {
  endpoint: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts moto on a free loopback port and resolves once it answers; `stop()` ends the process. */
export async function startMoto({ readyTimeoutMs = 30_000 } = {}): Promise<RunningMoto> {
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode} before answering: ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (response.ok) return { endpoint, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto did not answer on ${endpoint} within ${readyTimeoutMs} ms: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A VPC with two subnets and a security group, made through moto's EC2 API: moto checks that the subnets, VPC and
 * security groups that ECS and ELBv2 calls name exist (the sandbox, which has no EC2, accepts any). The project has
 * no EC2 client, so these three calls are plain EC2 query requests; moto reads the service from the credential scope.
 */
export async function createMotoNetwork(endpoint: string): Promise<{ vpcId: string; subnets: [string, string]; securityGroup: string }> {
  const ec2 = async (params: Record<string, string>, field: string): Promise<string> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ ...params, Version: '2016-11-15' }).toString(),
    });
    const body = await response.text();
    const value = new RegExp(`<${field}>([^<]+)</${field}>`).exec(body)?.[1];
    if (!response.ok || !value) throw new Error(`moto EC2 ${params.Action} failed (${response.status}): ${body.slice(0, 300)}`);
    return value;
  };
  const vpcId = await ec2({ Action: 'CreateVpc', CidrBlock: '10.0.0.0/16' }, 'vpcId');
  const subnetA = await ec2({ Action: 'CreateSubnet', VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }, 'subnetId');
  const subnetB = await ec2({ Action: 'CreateSubnet', VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' }, 'subnetId');
  const securityGroup = await ec2({ Action: 'CreateSecurityGroup', VpcId: vpcId, GroupName: 'app', GroupDescription: 'app' }, 'groupId');
  return { vpcId, subnets: [subnetA, subnetB], securityGroup };
}
