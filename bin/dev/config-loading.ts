import { existsSync } from 'node:fs';
import { BucketflowError, ValidationError } from '../../lambdas/core/errors.js';
import { type BucketflowConfig, validateConfig } from '../../lambdas/sdk/config.js';
import { importUserModule } from '../user-modules.js';
import { ConfigFileError } from './errors.js';

/** A loaded config and where it came from (`undefined`: no file, an empty config). */
export interface LoadedConfig {
  readonly config: BucketflowConfig;
  readonly path: string | undefined;
}

/**
 * Imports a config module (a TypeScript one through tsx, see `importUserModule`)
 * and returns its `config` export, or its default export, validated. A
 * missing file is an error when the path was given explicitly; without one
 * the stack starts with an empty config (automations can still be created
 * with the CLI).
 *
 * @example
 * ```ts
 * const { config } = await loadConfigFile('/repo/bucketflow.config.ts', { explicit: false });
 * ```
 */
export async function loadConfigFile(
  path: string,
  { explicit }: { explicit: boolean },
): Promise<LoadedConfig> {
  if (!existsSync(path)) {
    if (!explicit) return { config: {}, path: undefined };
    throw new ConfigFileError(
      '--config',
      `${path} does not exist`,
      'pass the path of a module exporting `export const config = defineConfig({...})`',
    );
  }
  let exports: Record<string, unknown>;
  try {
    exports = await importUserModule(path, path);
  } catch (error) {
    // Said about this very file already (a TypeScript module without tsx, say).
    if (error instanceof ValidationError && error.field === path) throw error;
    // A config that fails validation inside defineConfig names its field already.
    if (error instanceof BucketflowError) {
      throw new ConfigFileError(path, error.message, undefined, { cause: error });
    }
    throw new ConfigFileError(
      path,
      `cannot be loaded: ${error instanceof Error ? error.message : String(error)}`,
      'fix the module so that it imports and runs',
      { cause: error },
    );
  }
  const config = exports.config ?? exports.default;
  if (config === undefined) {
    throw new ConfigFileError(
      path,
      'exports no config',
      'add `export const config = defineConfig({ locations, automations })`',
    );
  }
  try {
    validateConfig(config as BucketflowConfig);
  } catch (error) {
    if (error instanceof BucketflowError) {
      throw new ConfigFileError(path, error.message, undefined, { cause: error });
    }
    throw error;
  }
  return { config: config as BucketflowConfig, path };
}
