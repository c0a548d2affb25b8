import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, buildSync } from 'esbuild';

/**
 * Root of the tree this module was loaded from: the repository when the CDK
 * app runs from the TypeScript sources, `node_modules/bucketflow/dist` once
 * installed. The handler entries sit at the same place in both.
 */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY_EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The handler entry files in `lambdas/handlers/`, each exporting `handler`. */
export type HandlerName =
  | 's3-ingest'
  | 'batch-sweep'
  | 'cron-tick'
  | 'task-reconcile'
  | 'config-apply';

/**
 * Path of a handler's entry file (`.ts` in the repository, `.js` installed).
 *
 * @example
 * ```ts
 * handlerEntry('s3-ingest'); // <root>/lambdas/handlers/s3-ingest.ts
 * ```
 */
export function handlerEntry(name: HandlerName): string {
  return join(PACKAGE_ROOT, 'lambdas', 'handlers', `${name}${ENTRY_EXTENSION}`);
}

/** The module a generated task runner entry imports `createTaskRunnerHandler` from. */
export const LAMBDA_ENTRY_MODULE = join(
  PACKAGE_ROOT,
  'lambdas',
  'handlers',
  `index${ENTRY_EXTENSION}`,
);

/** The SDK modules that read task classes and their identifiers out of task modules. */
export const SDK_TASK_MODULES = {
  modules: join(PACKAGE_ROOT, 'lambdas', 'sdk', `task-modules${ENTRY_EXTENSION}`),
  task: join(PACKAGE_ROOT, 'lambdas', 'sdk', `task${ENTRY_EXTENSION}`),
};

// The sources are ESM, which only an ESM bundle keeps. Some dependencies still
// `require()` Node built-ins; the banner gives the ESM bundle a `require` for them.
const ESM_REQUIRE_BANNER =
  "import { createRequire as bucketflowCreateRequire } from 'node:module'; const require = bucketflowCreateRequire(import.meta.url);";

/**
 * How every bucketflow function is bundled: one minified ESM file
 * (`index.mjs`) for Node.js 22 with an external source map without sources,
 * the AWS SDK included (the functions run the SDK versions the tests ran).
 * The benchmarks bundle with the same options.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: [],
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  logLevel: 'error',
} as const satisfies BuildOptions;

/** File name of the bundle inside the asset; the function's handler is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';

/** What to bundle: an entry file, or generated source that imports files by absolute path. */
export type BundleSource =
  | { readonly entry: string }
  | { readonly contents: string; readonly resolveDir: string; readonly name: string };

/**
 * Lambda code bundled at synth time by esbuild, in this process: no Docker,
 * no lock file and no `package.json` of the app's are needed (imports resolve
 * from the files' own `node_modules`, as Node would). Synth of a stack that
 * `cdk` does not deploy skips the bundling, as NodejsFunction does.
 *
 * @example
 * ```ts
 * new lambda.Function(this, 'Fn', { code: bundledCode({ entry: handlerEntry('cron-tick') }), handler: 'index.handler', runtime });
 * ```
 */
export function bundledCode(source: BundleSource): lambda.Code {
  const input =
    'entry' in source
      ? { entryPoints: [source.entry] }
      : {
          stdin: {
            contents: source.contents,
            resolveDir: source.resolveDir,
            sourcefile: source.name,
            loader: 'js' as const,
          },
        };
  const assetDir = 'entry' in source ? dirname(source.entry) : source.resolveDir;
  if (!existsSync(assetDir)) throw new Error(`bucketflow: ${assetDir} does not exist`);
  // The asset cache is keyed by the bundling options: the fingerprint keeps two bundles apart.
  const fingerprint = createHash('sha256')
    .update('entry' in source ? source.entry : source.contents)
    .digest('hex');
  return lambda.Code.fromAsset(assetDir, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local bundling below always succeeds or throws.
      image: DockerImage.fromRegistry('bucketflow/bundles-locally-with-esbuild'),
      command: ['esbuild', fingerprint],
      local: {
        tryBundle(outputDir) {
          buildSync({ ...BUNDLE_OPTIONS, ...input, outfile: join(outputDir, BUNDLE_FILE) });
          return true;
        },
      },
    },
  });
}
