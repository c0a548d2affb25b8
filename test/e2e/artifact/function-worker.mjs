// One Lambda execution environment: a worker thread with the function's own
// environment variables that imports the bundle from the cloud assembly and
// runs one invocation at a time, as Lambda does per environment.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { file, exportName, functionName, timeoutMs } = workerData;
const module = await import(pathToFileURL(file).href);
const handler = module[exportName];
if (typeof handler !== 'function') {
  throw new Error(`${file} exports no function ${exportName}`);
}

parentPort.on('message', async ({ id, event }) => {
  const started = Date.now();
  const context = {
    functionName,
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  try {
    const result = await handler(event, context);
    parentPort.postMessage({
      id,
      result: result === undefined ? null : JSON.parse(JSON.stringify(result)),
    });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: {
        name: error?.name ?? 'Error',
        message: String(error?.message ?? error),
        stack: error?.stack,
      },
    });
  }
});
parentPort.postMessage({ ready: true });
