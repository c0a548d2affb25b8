import { pathToFileURL } from 'node:url';
import { ValidationError } from '../lambdas/core/errors.js';

const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;
/** True when this CLI runs from its TypeScript sources, under a loader that already handles .ts. */
const RUNNING_FROM_SOURCES = TYPESCRIPT_FILE.test(new URL(import.meta.url).pathname);

let typescriptLoader: Promise<void> | undefined;

/**
 * Imports a user's module (a config or a task module) by absolute path. The
 * installed CLI is plain JavaScript run by `node`; for a TypeScript module it
 * registers tsx's loader first (once per process), so `bucketflow.config.ts`
 * and `tasks.ts` load as they do under `npm start`. tsx is an optional peer
 * dependency: without it a TypeScript module is an error that says what to install.
 *
 * @example
 * ```ts
 * const exports = await importUserModule('/home/me/project/tasks.ts', '--tasks tasks.ts');
 * ```
 */
export async function importUserModule(
  absolutePath: string,
  field: string,
): Promise<Record<string, unknown>> {
  if (TYPESCRIPT_FILE.test(absolutePath) && !RUNNING_FROM_SOURCES) {
    typescriptLoader ??= registerTypeScriptLoader(field);
    await typescriptLoader;
  }
  return (await import(pathToFileURL(absolutePath).href)) as Record<string, unknown>;
}

async function registerTypeScriptLoader(field: string): Promise<void> {
  let api: { register(): unknown };
  try {
    api = (await import('tsx/esm/api')) as { register(): unknown };
  } catch (error) {
    typescriptLoader = undefined;
    throw new ValidationError(
      field,
      'is a TypeScript module, and loading one needs the tsx package, which is not installed',
      'npm install --save-dev tsx, or compile the module to JavaScript and pass the .js file',
      { cause: error },
    );
  }
  api.register();
}
