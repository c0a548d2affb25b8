import type { AutomationTask, BatchTrigger } from '../automations/automation-spec.js';
import type { StorageLocation } from '../automations/storage-location.js';
import { classifyEvent } from '../batching/batch-events.js';
import { type BatchPolicy, createBatchPolicy } from '../batching/batch-thresholds.js';
import type { ObjectEvent } from '../events/object-event.js';
import { TriggerIndex } from '../glob/trigger-index.js';
import type { TaskSpec } from '../jobs/task-spec.js';
import { type TriggerJson, withTriggerInput } from '../jobs/trigger-payload.js';
import type { Automation } from '../ports/automation-store.js';

/**
 * The key object events carry in `bucket`: the bucket name for an S3
 * location, the location name for a local folder (the folder watcher emits it).
 */
export function locationKey(location: StorageLocation): string {
  return location.kind === 's3' ? location.bucket : location.name;
}

export interface BatchAutomation {
  readonly automation: Automation;
  readonly trigger: BatchTrigger;
  readonly policy: BatchPolicy;
  readonly location: StorageLocation;
}

export interface StorageMatch {
  readonly automation: Automation;
  readonly location: StorageLocation;
}

/**
 * The enabled automations of a deployment, indexed for the hot paths: one
 * trigger index per storage location (a key is matched against thousands of
 * globs without testing each), batch automations per location, cron
 * automations. Built once per refresh, not per event.
 *
 * @example
 * ```ts
 * const catalog = new AutomationCatalog(await store.list(), await store.listLocations());
 * catalog.storageMatches('my-bucket', 'scenes/a.tif'); // [{ automation, location }]
 * ```
 */
export class AutomationCatalog {
  readonly #storage = new Map<string, TriggerIndex<StorageMatch>>();
  readonly #batch = new Map<string, BatchAutomation[]>();
  readonly #byId = new Map<string, Automation>();
  readonly cron: readonly Automation[];

  constructor(automations: readonly Automation[], locations: readonly StorageLocation[]) {
    const locationsByName = new Map(locations.map((location) => [location.name, location]));
    const cron: Automation[] = [];
    for (const automation of automations) {
      if (!automation.enabled) continue;
      this.#byId.set(automation.id, automation);
      for (const trigger of automation.triggers.storage) {
        const location = locationsByName.get(trigger.location);
        if (!location) continue;
        const key = locationKey(location);
        let index = this.#storage.get(key);
        if (!index) {
          index = new TriggerIndex<StorageMatch>();
          this.#storage.set(key, index);
        }
        index.add(trigger.glob, { automation, location });
      }
      const batch = automation.triggers.batch;
      const batchLocation = batch && locationsByName.get(batch.location);
      if (batch && batchLocation) {
        const key = locationKey(batchLocation);
        const list = this.#batch.get(key) ?? [];
        list.push({ automation, trigger: batch, policy: policyOf(batch), location: batchLocation });
        this.#batch.set(key, list);
      }
      if (automation.triggers.cron.length > 0) cron.push(automation);
    }
    this.cron = cron;
  }

  /** Automations with a storage trigger matching the key, each once even when several globs match. */
  storageMatches(bucket: string, key: string): StorageMatch[] {
    const matches = this.#storage.get(bucket)?.match(key) ?? [];
    const seen = new Set<string>();
    return matches.filter(({ automation }) => {
      if (seen.has(automation.id)) return false;
      seen.add(automation.id);
      return true;
    });
  }

  /**
   * Names of the automations a created object reaches: its storage
   * triggers, and the batch automations of its bucket that do not ignore it.
   */
  automationsReached(event: ObjectEvent): string[] {
    const names = this.storageMatches(event.bucket, event.key).map((m) => m.automation.name);
    for (const entry of this.batchAutomations(event.bucket)) {
      const placed = classifyEvent(event, entry.policy);
      if (placed.outcome !== 'ignored' && placed.outcome !== 'deleted') {
        names.push(entry.automation.name);
      }
    }
    return names;
  }

  batchAutomations(bucket: string): readonly BatchAutomation[] {
    return this.#batch.get(bucket) ?? [];
  }

  /** Every batch automation, for the sweep. */
  batchAutomation(automationId: string): BatchAutomation | undefined {
    for (const list of this.#batch.values()) {
      const found = list.find((entry) => entry.automation.id === automationId);
      if (found) return found;
    }
    return undefined;
  }

  find(automationId: string): Automation | undefined {
    return this.#byId.get(automationId);
  }
}

function policyOf(trigger: BatchTrigger): BatchPolicy {
  return createBatchPolicy({
    prefixDepth: trigger.prefixDepth,
    count: trigger.count,
    quietSeconds: trigger.quietSeconds,
    maxAgeSeconds: trigger.maxAgeSeconds,
    ignore: trigger.ignore,
    marker: trigger.marker,
    // Automations stored before markers existed have no flag; markers were members then too.
    markerIsMember: trigger.markerIsMember ?? true,
  });
}

/**
 * The root task of a job an automation submits: its task prototype with the
 * trigger carried in the input.
 */
export function automationTaskSpec(
  automation: Automation,
  task: AutomationTask,
  trigger: TriggerJson,
): TaskSpec {
  return {
    identifier: task.identifier,
    input: withTriggerInput(task.input ?? {}, trigger, `automations.${automation.name}.task.input`),
    display: task.display,
    maxRetries: task.maxRetries,
    cluster: automation.cluster,
  };
}
