import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  freePort,
  portIsFree,
  randomLocalCredentials,
} from '../../lambdas/adapters/local/local-servers.js';
import type { LocalCredentials } from '../../lambdas/adapters/local/sigv4-verifier.js';
import { DATA_FILES } from './dev-constants.js';

/** The ports of one `bucketflow dev`. */
export interface DevPorts {
  readonly dynamodb: number;
  readonly sqs: number;
  readonly s3: number;
  readonly console: number;
}

/** Ports given on the command line; the others are chosen. */
export type RequestedPorts = { readonly [K in keyof DevPorts]?: number | undefined };

/** What a data directory remembers of its endpoints. */
export interface EndpointMemory {
  readonly ports: Partial<DevPorts>;
  readonly credentials: LocalCredentials;
}

const port = z.number().int().min(1).max(65_535);
const memorySchema = z.object({
  ports: z
    .object({
      dynamodb: port.optional(),
      sqs: port.optional(),
      s3: port.optional(),
      console: port.optional(),
    })
    .default({}),
  credentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }),
});

/**
 * The ports and credentials this data directory used last time, or fresh
 * credentials and no ports for a new (or unreadable) one. Runners and
 * terminals keep working across a restart when the endpoints stay the same.
 *
 * @example
 * ```ts
 * const memory = await loadEndpointMemory('.bucketflow');
 * ```
 */
export async function loadEndpointMemory(dataDir: string): Promise<EndpointMemory> {
  try {
    const text = await readFile(join(dataDir, DATA_FILES.endpoints), 'utf8');
    const parsed = memorySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // A first start, or a damaged file: start afresh.
  }
  return { ports: {}, credentials: randomLocalCredentials() };
}

/**
 * Ports for this start: the requested one, else last time's when it is free,
 * else a free one. `reused` names the services that got last time's port.
 *
 * @example
 * ```ts
 * const { ports } = await choosePorts({ sqs: 4576 }, memory.ports);
 * ```
 */
export async function choosePorts(
  requested: RequestedPorts,
  remembered: Partial<DevPorts>,
): Promise<{ ports: DevPorts; reused: (keyof DevPorts)[] }> {
  const reused: (keyof DevPorts)[] = [];
  const taken = new Set<number>();
  const pick = async (service: keyof DevPorts): Promise<number> => {
    const explicit = requested[service];
    if (explicit !== undefined) return explicit;
    const last = remembered[service];
    if (last !== undefined && !taken.has(last) && (await portIsFree(last))) {
      reused.push(service);
      return last;
    }
    let candidate = await freePort();
    while (taken.has(candidate)) candidate = await freePort();
    return candidate;
  };
  const ports: Record<keyof DevPorts, number> = { dynamodb: 0, sqs: 0, s3: 0, console: 0 };
  for (const service of ['dynamodb', 'sqs', 's3', 'console'] as const) {
    ports[service] = await pick(service);
    taken.add(ports[service]);
  }
  return { ports, reused };
}

/**
 * Saves the ports and credentials of a started stack (mode 0600: the file
 * holds the secret key the local S3 server checks).
 *
 * @example
 * ```ts
 * await saveEndpointMemory('.bucketflow', { ports, credentials });
 * ```
 */
export async function saveEndpointMemory(dataDir: string, memory: EndpointMemory): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, DATA_FILES.endpoints);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(memory, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
