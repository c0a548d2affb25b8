import type { Command } from 'commander';
import { validateLocationName } from '../../lambdas/core/automations/storage-location.js';
import { splitIgnoreList } from '../../lambdas/core/batching/ignore-patterns.js';
import { CATCH_UP_POLICIES } from '../../lambdas/core/cron/catch-up.js';
import { parseCronSchedule } from '../../lambdas/core/cron/cron-schedule.js';
import { timeZone } from '../../lambdas/core/cron/time-zone.js';
import { ValidationError } from '../../lambdas/core/errors.js';
import { formatAutomationTable, withNextFire } from './automation-format.js';
import {
  batchPolicyFromOptions,
  checkOption,
  MARKER_MEMBER_OPTION_HELP,
  MARKER_OPTION_HELP,
  parseCatchUp,
  parseStorageTrigger,
} from './automation-options.js';
import { parseIntegerOption, printJson } from './cli-io.js';
import {
  type ConnectionOptions,
  connect,
  connectedAction,
  withConnectionOption,
} from './connection-options.js';
import {
  INPUT_OPTION_HELP,
  TASK_OPTION_HELP,
  taskFromOptions,
  withClusterOption,
} from './task-option.js';

interface JsonOption extends ConnectionOptions {
  json?: boolean;
}

interface TaskOptions extends JsonOption {
  task: string;
  input?: string;
  cluster?: string;
}

interface CronOptions extends TaskOptions {
  schedule: string[];
  timezone: string;
  catchUp?: string;
}

interface StorageOptions extends TaskOptions {
  trigger: string[];
}

interface BatchOptions extends JsonOption {
  location: string;
  prefixDepth?: number;
  count?: number;
  quiet?: number;
  maxAge?: number;
  ignore: string[];
  marker?: string;
  markerMember?: boolean;
  emitEvent?: boolean;
  task?: string;
  input?: string;
  cluster?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Registers `bucketflow automations list|create-cron|create-storage|create-batch|delete`.
 *
 * @example
 * ```ts
 * registerAutomationsCommand(new Command('bucketflow'));
 * ```
 */
export function registerAutomationsCommand(program: Command): void {
  const automations = program
    .command('automations')
    .description('automations: submit jobs on cron schedules, new objects, or closed batches');

  withConnectionOption(
    automations
      .command('list')
      .description('list the enabled automations')
      .option('--json', 'print a JSON array'),
  ).action(
    connectedAction(async (options: JsonOption) => {
      const list = await (await connect(options)).client.automations.list();
      const now = Date.now();
      if (options.json) return printJson(list.map((automation) => withNextFire(automation, now)));
      process.stdout.write(list.length > 0 ? formatAutomationTable(list, now) : 'no automations\n');
    }),
  );

  withTaskOptions(
    automations
      .command('create-cron')
      .description('submit a job whose root task is a CronTask at every fire time')
      .argument('<name>', 'automation name')
      .requiredOption(
        '--schedule <cron>',
        "5-field cron expression, e.g. '*/5 * * * *' (repeatable)",
        collect,
        [] as string[],
      )
      .option('--timezone <zone>', 'IANA time zone of the schedules', 'UTC')
      .option(
        '--catch-up <policy>',
        `missed fire times: ${CATCH_UP_POLICIES.join(', ')} (default: all)`,
      ),
  ).action(
    connectedAction(async (name: string, options: CronOptions) => {
      const catchUp = parseCatchUp(options.catchUp);
      checkOption('--timezone', () => timeZone(options.timezone));
      for (const expression of options.schedule) {
        checkOption('--schedule', () =>
          parseCronSchedule(expression, { timezone: options.timezone }),
        );
      }
      const task = taskFromOptions(options);
      const { client } = await connect(options);
      const automation = await withClusterOption(options.cluster, () =>
        client.automations.createCron(name, options.cluster, task, options.schedule, {
          timezone: options.timezone,
          catchUp,
        }),
      );
      printCreated(automation, options);
    }),
  );

  withTaskOptions(
    automations
      .command('create-storage')
      .description(
        'submit a job whose root task is a StorageEventTask for every new matching object',
      )
      .argument('<name>', 'automation name')
      .requiredOption(
        '--trigger <location:glob>',
        "registered storage location and a glob of keys, e.g. 'scenes:**/*.tif' (repeatable)",
        collect,
        [] as string[],
      ),
  ).action(
    connectedAction(async (name: string, options: StorageOptions) => {
      const triggers = options.trigger.map(parseStorageTrigger);
      const task = taskFromOptions(options);
      const { client } = await connect(options);
      const automation = await withClusterOption(options.cluster, () =>
        client.automations.createStorageEvent(name, options.cluster, task, triggers),
      );
      printCreated(automation, options);
    }),
  );

  withConnectionOption(
    automations
      .command('create-batch')
      .description(
        'group new objects of a location by key prefix into batches; a closed batch emits an\n' +
          'objects-batch-ready event and/or submits a job whose root task is a BatchTask',
      )
      .argument('<name>', 'automation name')
      .requiredOption('--location <name>', 'registered storage location')
      .option(
        '--prefix-depth <folders>',
        'leading folders that name a batch (default: 2)',
        parseIntegerOption('--prefix-depth', 0),
      )
      .option(
        '--count <events>',
        'close a batch at this many events (default: 20)',
        parseIntegerOption('--count', 1),
      )
      .option(
        '--quiet <seconds>',
        'close a batch after this many quiet seconds (default: 300)',
        parseIntegerOption('--quiet', 1),
      )
      .option(
        '--max-age <seconds>',
        'close a batch this long after its first event (default: none)',
        parseIntegerOption('--max-age', 1),
      )
      .option(
        '--ignore <globs>',
        'comma-separated globs of keys or folders to leave out (repeatable)',
        (value: string, previous: string[]) => [...previous, ...splitIgnoreList(value)],
        [] as string[],
      )
      .option('--marker <glob>', MARKER_OPTION_HELP)
      .option('--no-marker-member', MARKER_MEMBER_OPTION_HELP)
      .option('--emit-event', 'emit objects-batch-ready events (always on without --task)')
      .option('--task <identifier>', `${TASK_OPTION_HELP}; submitted once per closed batch`)
      .option('--input <json>', INPUT_OPTION_HELP)
      .option('--cluster <slug>', 'cluster of the jobs (default: the default cluster)')
      .option('--json', 'print the automation as JSON'),
  ).action(
    connectedAction(async (name: string, options: BatchOptions) => {
      checkOption('--location', () => validateLocationName(options.location, '--location'));
      batchPolicyFromOptions(options);
      const task =
        options.task === undefined
          ? undefined
          : taskFromOptions({ ...options, task: options.task });
      if (task === undefined && (options.input !== undefined || options.cluster !== undefined)) {
        throw new ValidationError(
          '--task',
          'is required with --input or --cluster',
          'name the BatchTask to submit',
        );
      }
      const { client } = await connect(options);
      const automation = await withClusterOption(options.cluster, () =>
        client.automations.createBatch(name, {
          location: options.location,
          prefixDepth: options.prefixDepth,
          count: options.count,
          quiet: options.quiet,
          maxAge: options.maxAge,
          ignore: options.ignore,
          marker: options.marker,
          markerIsMember: options.markerMember,
          emitEvent: task === undefined || options.emitEvent === true,
          cluster: options.cluster,
          task,
        }),
      );
      printCreated(automation, options);
    }),
  );

  withConnectionOption(
    automations
      .command('delete')
      .description('delete an automation: it submits no new jobs; the jobs it submitted remain')
      .argument('<id>', 'automation id')
      .option('--cancel-jobs', 'also cancel its queued and started jobs')
      .option('--json', 'print the result as JSON'),
  ).action(
    connectedAction(async (id: string, options: JsonOption & { cancelJobs?: boolean }) => {
      const { client } = await connect(options);
      const automation = await client.automations.find(id);
      if (automation === undefined || !(await client.automations.delete(id))) {
        throw new ValidationError(
          `automation ${id}`,
          'no such automation',
          'list them with: bucketflow automations list',
        );
      }
      const cancelled = options.cancelJobs
        ? await client.automations.cancelJobs(id, { since: automation.createdAt })
        : [];
      if (options.json) return printJson({ deleted: id, cancelledJobs: cancelled });
      const jobs = options.cancelJobs ? `; cancelled ${cancelled.length} job(s)` : '';
      process.stdout.write(`deleted automation ${id} (${automation.name})${jobs}\n`);
    }),
  );
}

/** The options of a command whose automation always submits a task. */
function withTaskOptions(command: Command): Command {
  return withConnectionOption(
    command
      .requiredOption('--task <identifier>', TASK_OPTION_HELP)
      .option('--input <json>', INPUT_OPTION_HELP)
      .option('--cluster <slug>', 'cluster of the jobs (default: the default cluster)')
      .option('--json', 'print the automation as JSON'),
  );
}

function printCreated(
  automation: { id: string; name: string; kind: string; cluster: string },
  options: JsonOption,
): void {
  if (options.json) printJson(automation);
  else {
    process.stdout.write(
      `created ${automation.kind} automation ${automation.id} (${automation.name}) on cluster ${automation.cluster}\n`,
    );
  }
}
