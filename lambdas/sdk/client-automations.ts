import type { AutomationInput } from '../core/automations/automation-spec.js';
import type { CatchUpPolicy } from '../core/cron/catch-up.js';
import type { Automation, AutomationStore } from '../core/ports/automation-store.js';
import { resolveCluster } from './client-jobs.js';
import type { AnyTask } from './task.js';

/** Options of {@link ClientAutomations.createCron}. */
export interface CronAutomationOptions {
  /** IANA time zone of every schedule. @default 'UTC' */
  readonly timezone?: string | undefined;
  readonly catchUp?: CatchUpPolicy | undefined;
}

/** Options of {@link ClientAutomations.createBatch}; `quiet` and `maxAge` are seconds. */
export interface BatchAutomationOptions {
  readonly location: string;
  readonly prefixDepth?: number | undefined;
  readonly count?: number | undefined;
  readonly quiet?: number | undefined;
  readonly maxAge?: number | undefined;
  readonly ignore?: readonly string[] | undefined;
  readonly emitEvent?: boolean | undefined;
  readonly cluster?: string | undefined;
  /** Submitted once per closed batch; without it the batch only emits its event. */
  readonly task?: AnyTask | undefined;
}

/**
 * Creates and manages automations; reached as `client.automations`. Bad
 * triggers surface the core's ValidationErrors unchanged (they name the field).
 *
 * @example
 * ```ts
 * await client.automations.createCron('nightly', cluster.slug, new Report(), ['0 2 * * *']);
 * ```
 */
export class ClientAutomations {
  readonly #store: AutomationStore;

  constructor(store: AutomationStore) {
    this.#store = store;
  }

  /** An automation submitting `task` at every fire time of `schedules` (cron expressions). */
  async createCron(
    name: string,
    cluster: string | undefined,
    task: AnyTask,
    schedules: readonly string[],
    options: CronAutomationOptions = {},
  ): Promise<Automation> {
    return this.#create({
      name,
      cluster: await this.#cluster(cluster),
      task: prototypeOf(task),
      triggers: {
        cron: schedules.map((expression) => ({
          expression,
          timezone: options.timezone,
          catchUp: options.catchUp,
        })),
      },
    });
  }

  /** An automation submitting `task` for every new object matching a `[location, glob]` pair. */
  async createStorageEvent(
    name: string,
    cluster: string | undefined,
    task: AnyTask,
    triggers: readonly (readonly [location: string, glob: string])[],
  ): Promise<Automation> {
    return this.#create({
      name,
      cluster: await this.#cluster(cluster),
      task: prototypeOf(task),
      triggers: { storage: triggers.map(([location, glob]) => ({ location, glob })) },
    });
  }

  /** An automation grouping new objects by prefix into batches. */
  async createBatch(name: string, options: BatchAutomationOptions): Promise<Automation> {
    return this.#create({
      name,
      cluster: options.cluster === undefined ? undefined : await this.#cluster(options.cluster),
      task: options.task === undefined ? undefined : prototypeOf(options.task),
      triggers: {
        batch: {
          location: options.location,
          prefixDepth: options.prefixDepth,
          count: options.count,
          quietSeconds: options.quiet,
          maxAgeSeconds: options.maxAge,
          ignore: options.ignore,
          emitEvent: options.emitEvent,
          submitJob: options.task !== undefined,
        },
      },
    });
  }

  /** Every enabled automation. */
  list(): Promise<Automation[]> {
    return this.#store.list();
  }

  find(id: string): Promise<Automation | undefined> {
    return this.#store.find(id);
  }

  /** Whether an automation was deleted. */
  delete(id: string): Promise<boolean> {
    return this.#store.delete(id);
  }

  #create(input: AutomationInput): Promise<Automation> {
    return this.#store.create(input);
  }

  #cluster(cluster: string | undefined): Promise<string> {
    return resolveCluster(this.#store, cluster);
  }
}

function prototypeOf(task: AnyTask): NonNullable<AutomationInput['task']> {
  const spec = task.toPrototypeSpec();
  return {
    identifier: spec.identifier,
    input: spec.input,
    display: spec.display,
    maxRetries: spec.maxRetries,
  };
}
