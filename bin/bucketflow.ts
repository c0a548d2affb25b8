#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAutomationsCommand } from './commands/automations.js';
import { registerBatchCommand } from './commands/batch.js';
import { EXIT_USAGE } from './commands/cli-io.js';
import { registerClustersCommand } from './commands/clusters.js';
import { registerCronCommand } from './commands/cron.js';
import { registerDevCommand } from './commands/dev.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerJobsCommand } from './commands/jobs.js';
import { registerMatchCommand } from './commands/match.js';
import { registerRunnerCommand } from './commands/runner.js';
import { packageVersion } from './package-version.js';

const program = new Command('bucketflow')
  .description(
    'Serverless automations for object storage: glob triggers, prefix batching and cron.\n' +
      'The dry-run commands (match, cron, batch) need no AWS account.',
  )
  .version(packageVersion(), '-V, --version', 'print the version of bucketflow')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

registerMatchCommand(program);
registerCronCommand(program);
registerBatchCommand(program);
registerClustersCommand(program);
registerJobsCommand(program);
registerAutomationsCommand(program);
registerRunnerCommand(program);
registerDevCommand(program);
registerDoctorCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are successful exits; every other parse error is a usage error.
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  throw error;
}
