import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { applyConfigPlan, type ConfigPlan } from '../core/services/config-apply.js';
import { environmentRuntime } from './lazy-runtime.js';
import type { HandlerRuntime } from './runtime.js';

/**
 * The one physical id of the automations resource: a changed id would make
 * CloudFormation delete the "old" resource after an update, and with it
 * every automation the update just applied.
 */
export const CONFIG_RESOURCE_ID = 'bucketflow-config';

// CloudFormation hands every custom resource property over as a string; the
// plan travels as one JSON string (Stack.toJsonString resolves its tokens).
const properties = z.object({ Plan: z.string() });
const eventSchema = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResourceProperties: properties,
  OldResourceProperties: properties.optional(),
});
const planSchema = z.object({
  clusters: z.array(z.string()),
  locations: z.array(z.record(z.string(), z.unknown())),
  automations: z.array(z.object({ name: z.string() }).passthrough()),
});

/** What the CDK Provider framework expects back from its `onEvent` handler. */
export interface ConfigApplyResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Changes: string };
}

/**
 * The `onEvent` handler of the custom resource that applies a config's plan
 * at deploy time, with `applyConfigPlan` (what `bucketflow dev` runs):
 * Create applies it, Update applies the new plan and deletes the automations
 * the old one named and the new one does not, Delete deletes the automations
 * the plan created. Cron schedules start at apply time; jobs are never deleted.
 *
 * @example
 * ```ts
 * const response = await createConfigApplyHandler(runtime)({ RequestType: 'Create', ResourceProperties: { Plan: '{...}' } });
 * ```
 */
export function createConfigApplyHandler(
  runtime: Pick<HandlerRuntime, 'automations' | 'logger' | 'clock'>,
) {
  return async (input: unknown): Promise<ConfigApplyResponse> => {
    const event = eventSchema.parse(input);
    const plan = parsePlan(event.ResourceProperties.Plan, 'ResourceProperties.Plan');
    const names = (of: ConfigPlan) => of.automations.map((automation) => automation.name);
    const applied =
      event.RequestType === 'Delete'
        ? await applyConfigPlan({
            store: runtime.automations,
            plan: { clusters: [], locations: [], automations: [] },
            previousNames: names(plan),
          }).catch((error: unknown) => {
            // A table deleted before this resource holds no automations to delete; failing
            // here would only leave the stack in DELETE_FAILED.
            if ((error as Error | undefined)?.name !== 'ResourceNotFoundException') throw error;
            return { changes: ['the automations table is gone: nothing to delete'] };
          })
        : await applyConfigPlan({
            store: runtime.automations,
            plan,
            previousNames: event.OldResourceProperties
              ? names(parsePlan(event.OldResourceProperties.Plan, 'OldResourceProperties.Plan'))
              : [],
          });
    runtime.logger.info('config applied', {
      requestType: event.RequestType,
      changes: applied.changes,
    });
    return {
      PhysicalResourceId: CONFIG_RESOURCE_ID,
      Data: { Changes: String(applied.changes.length) },
    };
  };
}

function parsePlan(text: string, field: string): ConfigPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(field, 'is not JSON', 'synthesize the stack with BucketflowService', {
      cause: error,
    });
  }
  return planSchema.parse(json) as unknown as ConfigPlan;
}

export const handler = (event: unknown) => createConfigApplyHandler(environmentRuntime())(event);
