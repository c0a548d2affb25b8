import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type IntrinsicResolver, resourcesOfType, type SynthesizedStack } from './template.js';

/** A function's bundle, handler and environment, as the template declares them. */
export interface FunctionDefinition {
  readonly logicalId: string;
  readonly file: string;
  readonly exportName: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/**
 * One deployed function: its bundle from the cloud assembly, run in a worker
 * thread whose `process.env` is the function's environment, one invocation
 * at a time. Started on its first invocation.
 */
export class LocalFunction {
  readonly definition: FunctionDefinition;
  readonly #runtimeEnvironment: Readonly<Record<string, string>>;
  #worker: Promise<Worker> | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #next = 0;
  #output = '';
  invocations = 0;

  constructor(
    definition: FunctionDefinition,
    runtimeEnvironment: Readonly<Record<string, string>>,
  ) {
    this.definition = definition;
    this.#runtimeEnvironment = runtimeEnvironment;
  }

  /** What the function wrote to stdout and stderr (its logs). */
  get output(): string {
    return this.#output;
  }

  /** Invokes the handler with `event`; rejects with the handler's error. */
  invoke(event: unknown): Promise<unknown> {
    const run = this.#chain.then(async () => {
      const worker = await this.#start();
      const id = this.#next++;
      this.invocations += 1;
      return new Promise<unknown>((resolve, reject) => {
        const onMessage = (message: {
          id?: number;
          result?: unknown;
          error?: { name: string; message: string };
        }) => {
          if (message.id !== id) return;
          worker.off('message', onMessage);
          if (message.error) {
            const error = new Error(`${this.definition.logicalId}: ${message.error.message}`);
            error.name = message.error.name;
            reject(error);
          } else resolve(message.result);
        };
        worker.on('message', onMessage);
        worker.postMessage({ id, event });
      });
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    const worker = await this.#worker?.catch(() => undefined);
    await worker?.terminate();
  }

  #start(): Promise<Worker> {
    this.#worker ??= new Promise((resolve, reject) => {
      const { file, exportName, logicalId, timeoutMs, environment } = this.definition;
      const worker = new Worker(new URL('./function-worker.mjs', import.meta.url), {
        env: { ...environment, ...this.#runtimeEnvironment, AWS_LAMBDA_FUNCTION_NAME: logicalId },
        workerData: { file, exportName, functionName: logicalId, timeoutMs },
        stdout: true,
        stderr: true,
      });
      const collect = (chunk: Buffer) => {
        this.#output += chunk.toString();
      };
      worker.stdout.on('data', collect);
      worker.stderr.on('data', collect);
      worker.once('error', reject);
      worker.once('message', (message: { ready?: boolean }) => {
        if (message.ready) resolve(worker);
      });
    });
    return this.#worker;
  }
}

/**
 * The functions of a stack: for each, the bundle staged in the cloud assembly
 * (`asset.<hash>` of its `Code.S3Key`), the module and export of its
 * `Handler`, its `Environment` with every reference resolved, and its timeout.
 *
 * @example
 * ```ts
 * const functions = localFunctions(stack, resolver, { AWS_REGION: 'us-east-1' });
 * ```
 */
export function localFunctions(
  stack: SynthesizedStack,
  resolver: IntrinsicResolver,
  runtimeEnvironment: Readonly<Record<string, string>>,
): Map<string, LocalFunction> {
  const functions = new Map<string, LocalFunction>();
  for (const [logicalId, resource] of resourcesOfType(stack, 'AWS::Lambda::Function')) {
    const properties = resource.Properties ?? {};
    const code = properties.Code as { S3Key?: unknown } | undefined;
    const assetDir = join(stack.assemblyDir, `asset.${String(code?.S3Key).replace(/\.zip$/, '')}`);
    const [module, exportName] = String(properties.Handler).split('.');
    const file = ['.mjs', '.js']
      .map((extension) => join(assetDir, `${module}${extension}`))
      .find((candidate) => existsSync(candidate));
    if (!file || !exportName) continue; // CDK's own functions are staged elsewhere or never invoked
    const variables = (properties.Environment as { Variables?: unknown } | undefined)?.Variables;
    const environment = Object.fromEntries(
      Object.entries((resolver.resolve(variables ?? {}) as Record<string, unknown>) ?? {}).map(
        ([name, value]) => [name, String(value)],
      ),
    );
    functions.set(
      logicalId,
      new LocalFunction(
        {
          logicalId,
          file,
          exportName,
          environment,
          timeoutMs: Number(properties.Timeout ?? 3) * 1000,
        },
        runtimeEnvironment,
      ),
    );
  }
  return functions;
}
