import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../bin/dev/config-loading.js';
import { ConfigFileError } from '../../../bin/dev/errors.js';
import { Heartbeat, PackageBatch, WordCount } from '../../../examples/tasks.js';
import { type BucketflowConfig, defineConfig } from '../../../lambdas/sdk/config.js';
import { InvalidConfigError } from '../../../lambdas/sdk/errors.js';

const valid: BucketflowConfig = {
  locations: { demo: { kind: 's3', bucket: 'demo' } },
  automations: [
    { kind: 'storage', name: 'texts', task: new WordCount(), triggers: [['demo', '**.txt']] },
    {
      kind: 'batch',
      name: 'runs',
      location: 'demo',
      count: 5,
      quiet: 10,
      task: new PackageBatch(),
    },
    { kind: 'cron', name: 'tick', task: new Heartbeat(), schedules: ['* * * * *'] },
  ],
};

/** `valid` with automation `index` replaced by `entry` (typed loosely: the point is bad input). */
function withAutomation(index: number, entry: Record<string, unknown>): BucketflowConfig {
  const automations = [...(valid.automations ?? [])] as unknown[];
  automations[index] = { ...(automations[index] as object), ...entry };
  return { ...valid, automations } as BucketflowConfig;
}

describe('defineConfig', () => {
  it('returns a valid config frozen', () => {
    // Act
    const config = defineConfig({ ...valid });

    // Assess
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.automations).toHaveLength(3);
  });

  it.each([
    ['an unknown kind', withAutomation(0, { kind: 'crn' }), /^automations\[0\]\.kind: "crn"/],
    [
      'a batch threshold out of range',
      withAutomation(1, { quiet: -1 }),
      /^automations\[1\]\.quiet: .*\[automation 'runs'\]/,
    ],
    [
      'a malformed cron expression',
      withAutomation(2, { schedules: ['* * *'] }),
      /^automations\[2\]\.schedules\[0\]: /,
    ],
    [
      'a malformed glob',
      withAutomation(0, { triggers: [['demo', '[a-']] }),
      /^automations\[0\]\.triggers\[0\]\[1\]: /,
    ],
    [
      'a location the config does not define',
      withAutomation(1, { location: 'elsewhere' }),
      /^automations\[1\]\.location: names the location 'elsewhere'/,
    ],
    [
      'a task class instead of an instance',
      withAutomation(0, { task: WordCount }),
      /^automations\[0\]\.task: must be an instance, e\.g\. new WordCount\(\)/,
    ],
    [
      'a task of the wrong base class',
      withAutomation(2, { task: new WordCount() }),
      /^automations\[2\]\.task: WordCount is not a CronTask/,
    ],
    [
      'two automations with one name',
      withAutomation(2, { name: 'texts' }),
      /^automations\[2\]\.name: 'texts' is used by an earlier automation/,
    ],
    [
      'a cluster that is not in clusters',
      withAutomation(0, { cluster: 'gpu' }),
      /^automations\[0\]\.cluster: 'gpu' is not in clusters/,
    ],
    [
      'a malformed bucket name',
      { ...valid, locations: { demo: { kind: 's3', bucket: 'Not_A_Bucket' } } },
      /^locations\.demo\.bucket: /,
    ],
    [
      'a malformed location kind',
      { ...valid, locations: { demo: { kind: 'ftp' } } },
      /^locations\.demo\.kind: "ftp"/,
    ],
    ['a non-class in tasks', { ...valid, tasks: [42] }, /^tasks\[0\]/],
    [
      'clusters as a list of names',
      { ...valid, clusters: ['gpu'] },
      /^clusters: must be an object of clusters by slug, got an array/,
    ],
    [
      'a cluster key that cannot be a slug',
      { ...valid, clusters: { 'gpu runners': {} } },
      /^clusters\.gpu runners: "gpu runners" is not a cluster slug/,
    ],
    [
      'a Lambda cluster without task modules',
      { ...valid, clusters: { gpu: { runner: { kind: 'lambda' } } } },
      /^clusters\.gpu\.taskModules: is empty, .*\(add the modules that export its task classes/,
    ],
    [
      'a Lambda runner setting out of range',
      {
        ...valid,
        clusters: { gpu: { runner: { kind: 'lambda', memorySize: 64 }, taskModules: ['t.ts'] } },
      },
      /^clusters\.gpu\.runner\.memorySize: must be an integer 128-10240, got 64/,
    ],
    [
      'an unknown runner kind',
      { ...valid, clusters: { gpu: { runner: { kind: 'ecs' } } } },
      /^clusters\.gpu\.runner\.kind: "ecs" is not a runner kind/,
    ],
  ])('rejects %s, naming the field', (_case, config, message) => {
    // Act
    const define = () => defineConfig(config as unknown as BucketflowConfig);

    // Assess
    expect(define).toThrow(InvalidConfigError);
    expect(define).toThrow(message);
  });
});

describe('loadConfigFile', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'bucketflow-config-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('loads the config export of the shipped example', async () => {
    // Act
    const { config } = await loadConfigFile(join(process.cwd(), 'bucketflow.config.ts'), {
      explicit: true,
    });

    // Assess
    expect(config.automations?.map((a) => `${a.kind}:${a.name}`)).toEqual([
      'storage:word-count',
      'batch:demo-runs',
      'batch:inbox-runs',
      'cron:heartbeat',
    ]);
  });

  it('starts with an empty config when the default file is missing', async () => {
    // Act
    const loaded = await loadConfigFile(join(folder, 'bucketflow.config.ts'), { explicit: false });

    // Assess
    expect(loaded).toEqual({ config: {}, path: undefined });
  });

  it('refuses a missing --config file and a module without a config, naming them', async () => {
    // Prepare
    const empty = join(folder, 'empty.config.ts');
    await writeFile(empty, 'export const other = 1;\n');

    // Act
    const missing = loadConfigFile(join(folder, 'nope.ts'), { explicit: true });
    const noExport = loadConfigFile(empty, { explicit: true });

    // Assess
    await expect(missing).rejects.toThrow(ConfigFileError);
    await expect(missing).rejects.toThrow(/^--config: .*nope\.ts does not exist/);
    await expect(noExport).rejects.toThrow(/empty\.config\.ts: exports no config/);
  });

  it('reports a plain-object config export with the field it got wrong', async () => {
    // Prepare
    const path = join(folder, 'plain.config.ts');
    await writeFile(
      path,
      "export const config = { locations: { demo: { kind: 's3', bucket: 'demo' } }, automations: [{ kind: 'batch', name: 'b', location: 'demo', count: 0, emitEvent: true }] };\n",
    );

    // Act
    const loading = loadConfigFile(path, { explicit: true });

    // Assess
    await expect(loading).rejects.toThrow(/plain\.config\.ts: automations\[0\]\.count: /);
  });
});
