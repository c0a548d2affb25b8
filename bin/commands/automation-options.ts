import { validateLocationName } from '../../lambdas/core/automations/storage-location.js';
import {
  type BatchPolicy,
  createBatchPolicy,
} from '../../lambdas/core/batching/batch-thresholds.js';
import { InvalidPolicyGlobError } from '../../lambdas/core/batching/errors.js';
import { CATCH_UP_POLICIES, type CatchUpPolicy } from '../../lambdas/core/cron/catch-up.js';
import { BucketflowError, ValidationError } from '../../lambdas/core/errors.js';
import { validateGlob } from '../../lambdas/core/glob/glob.js';

/** The batching options of `automations create-batch`. */
export interface BatchPolicyOptions {
  prefixDepth?: number | undefined;
  count?: number | undefined;
  quiet?: number | undefined;
  maxAge?: number | undefined;
  ignore: string[];
  marker?: string | undefined;
  /** False with `--no-marker-member`. */
  markerMember?: boolean | undefined;
}

/** Help of `--marker`, shared by `automations create-batch` and `batch simulate`. */
export const MARKER_OPTION_HELP =
  "close a prefix's batch at once when an object matching this glob arrives, e.g. '_SUCCESS'\n" +
  "(no '/': the object's name, at any depth) or '**/manifest.json' (the whole key)";
/** Help of `--no-marker-member`. */
export const MARKER_MEMBER_OPTION_HELP =
  'leave the marker object out of the batch it closes (default: it is the last member)';

/** `--catch-up`, one of all, latest, none. */
export function parseCatchUp(raw: string | undefined): CatchUpPolicy | undefined {
  if (raw === undefined) return undefined;
  if (!CATCH_UP_POLICIES.includes(raw as CatchUpPolicy)) {
    throw new ValidationError(
      '--catch-up',
      `'${raw}' is not a catch-up policy`,
      `use one of ${CATCH_UP_POLICIES.join(', ')}`,
    );
  }
  return raw as CatchUpPolicy;
}

/** `--trigger LOCATION:GLOB`, split at the first colon (location names have none). */
export function parseStorageTrigger(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  if (colon < 0) {
    throw new ValidationError(
      `--trigger '${raw}'`,
      'is not LOCATION:GLOB',
      "write e.g. --trigger 'scenes:**/*.tif'",
    );
  }
  const location = raw.slice(0, colon);
  const glob = raw.slice(colon + 1);
  checkOption(`--trigger '${raw}'`, () => validateLocationName(location, 'location'));
  checkOption(`--trigger '${raw}'`, () => validateGlob(glob));
  return [location, glob];
}

/** The batch policy of `--prefix-depth`, `--count`, `--quiet`, `--max-age`, `--ignore`, `--marker` and `--no-marker-member`, validated by the core's rules with the options named. */
export function batchPolicyFromOptions(options: BatchPolicyOptions): BatchPolicy {
  try {
    return createBatchPolicy(
      {
        prefixDepth: options.prefixDepth,
        count: options.count,
        quietSeconds: options.quiet,
        maxAgeSeconds: options.maxAge,
        ignore: options.ignore,
        marker: options.marker,
        markerIsMember: options.markerMember,
      },
      {
        prefixDepth: '--prefix-depth',
        count: '--count',
        quietSeconds: '--quiet',
        maxAgeSeconds: '--max-age',
        ignore: '--ignore',
        marker: '--marker',
        markerIsMember: '--no-marker-member',
      },
    );
  } catch (error) {
    if (error instanceof InvalidPolicyGlobError) {
      throw new BucketflowError(`${error.message}\n${error.pointer}`, { cause: error });
    }
    throw error;
  }
}

/** Runs a core validation, naming the option in front of the core's message. */
export function checkOption(option: string, validate: () => unknown): void {
  try {
    validate();
  } catch (error) {
    if (error instanceof ValidationError && error.field === option) throw error;
    if (error instanceof BucketflowError) {
      throw new ValidationError(option, error.message, undefined, { cause: error });
    }
    throw error;
  }
}
