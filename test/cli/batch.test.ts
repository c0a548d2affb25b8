import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the real CLI (through tsx, without npx so that npm's own warnings stay out of stderr). */
function bucketflow(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/bucketflow.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: input ?? '',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function line(time: string, key: string, extra: Record<string, string> = {}): string {
  return JSON.stringify({ time, bucket: 'lab', key, type: 'created', ...extra });
}

/** Three uploads to `inst/exp-1/`, one to `inst/exp-2/`, and one of each kind of event that does not count. */
const UPLOADS = [
  line('2024-05-01T12:00:00Z', 'inst/exp-1/a.tif', { sequencer: '01' }),
  line('2024-05-01T12:00:10Z', 'inst/exp-1/b.tif', { sequencer: '02' }),
  line('2024-05-01T12:00:10Z', 'inst/exp-1/b.tif', { sequencer: '02' }),
  '',
  line('2024-05-01T14:00:00+02:00', 'inst/exp-2/deep/c.tif'),
  line('2024-05-01T12:01:00Z', 'inst/exp-1/c.tif', { type: 'deleted' }),
  line('2024-05-01T12:01:00Z', 'raw/x/d.tif'),
  line('2024-05-01T12:02:00Z', 'inst/exp-1/e.tif'),
].join('\n');

const tempDir = mkdtempSync(join(tmpdir(), 'bucketflow-batch-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe('bucketflow batch simulate', () => {
  it('prints the closed batches as JSON, ordered by closedAt, with EDP defaults', () => {
    // Act
    const result = bucketflow(['batch', 'simulate', '--json', '--ignore', 'raw/*'], UPLOADS);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      {
        bucket: 'lab',
        prefix: 'inst/exp-2/',
        count: 1,
        reason: 'quiet',
        firstEventAt: '2024-05-01T12:00:00.000Z',
        lastEventAt: '2024-05-01T12:00:00.000Z',
        closedAt: '2024-05-01T12:05:00.000Z',
        keys: ['inst/exp-2/deep/c.tif'],
      },
      {
        bucket: 'lab',
        prefix: 'inst/exp-1/',
        count: 3,
        reason: 'quiet',
        firstEventAt: '2024-05-01T12:00:00.000Z',
        lastEventAt: '2024-05-01T12:02:00.000Z',
        closedAt: '2024-05-01T12:07:00.000Z',
        keys: ['inst/exp-1/a.tif', 'inst/exp-1/b.tif', 'inst/exp-1/e.tif'],
      },
    ]);
  });

  it('reads a file argument as it reads stdin', () => {
    // Prepare
    const file = join(tempDir, 'uploads.jsonl');
    writeFileSync(file, UPLOADS);

    // Act
    const fromFile = bucketflow(['batch', 'simulate', file, '--json']);
    const fromStdin = bucketflow(['batch', 'simulate', '-', '--json'], UPLOADS);

    // Assess
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe(fromStdin.stdout);
    expect(JSON.parse(fromFile.stdout)).toHaveLength(3);
  });

  it('prints one line per batch and a totals line without --json', () => {
    // Act
    const result = bucketflow(['batch', 'simulate', '--ignore', 'raw/*'], UPLOADS);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'closed at (UTC)           bucket  prefix       count  reason  first event               last event',
      '2024-05-01T12:05:00.000Z  lab     inst/exp-2/      1  quiet   2024-05-01T12:00:00.000Z  2024-05-01T12:00:00.000Z',
      '2024-05-01T12:07:00.000Z  lab     inst/exp-1/      3  quiet   2024-05-01T12:00:00.000Z  2024-05-01T12:02:00.000Z',
      'events read 7, counted 4, duplicates 1, deleted 1, ignored 1; 2 batches',
      '',
    ]);
  });

  it('applies --prefix-depth, --count, --quiet and --max-age', () => {
    // Prepare: the event at 12 s finds the first batch closed by age; the next three close by count
    const burst = [0, 6, 12, 14, 16, 30]
      .map((s) => line(`2024-05-01T12:00:${String(s).padStart(2, '0')}Z`, `a/b/c/${s}.txt`))
      .join('\n');

    // Act
    const result = bucketflow(
      [
        'batch',
        'simulate',
        '--json',
        '--prefix-depth',
        '1',
        '--count',
        '3',
        '--quiet',
        '10',
        '--max-age',
        '12',
      ],
      `${burst}\n${line('2024-05-01T12:01:00Z', 'root.txt')}`,
    );

    // Assess
    expect(result.code).toBe(0);
    expect(
      JSON.parse(result.stdout).map(
        (b: { prefix: string; count: number; reason: string; closedAt: string }) => [
          b.prefix,
          b.count,
          b.reason,
          b.closedAt,
        ],
      ),
    ).toEqual([
      ['a/', 2, 'max-age', '2024-05-01T12:00:12.000Z'],
      ['a/', 3, 'count', '2024-05-01T12:00:16.000Z'],
      ['a/', 1, 'quiet', '2024-05-01T12:00:40.000Z'],
      ['', 1, 'quiet', '2024-05-01T12:01:10.000Z'],
    ]);
  });

  it('closes a prefix at once on a --marker object, counting it as a member unless --no-marker-member', () => {
    // Prepare: two files and a _SUCCESS marker in one prefix, one file in another
    const upload = [
      line('2024-05-01T12:00:00Z', 'run/1/a.parquet'),
      line('2024-05-01T12:00:05Z', 'run/2/x.parquet'),
      line('2024-05-01T12:00:10Z', 'run/1/b.parquet'),
      line('2024-05-01T12:00:20Z', 'run/1/_SUCCESS'),
    ].join('\n');
    const summary = (stdout: string) =>
      JSON.parse(stdout).map(
        (b: {
          prefix: string;
          count: number;
          reason: string;
          closedAt: string;
          keys: string[];
        }) => [b.prefix, b.count, b.reason, b.closedAt, b.keys],
      );

    // Act
    const member = bucketflow(['batch', 'simulate', '--json', '--marker', '**/_SUCCESS'], upload);
    const notMember = bucketflow(
      ['batch', 'simulate', '--json', '--marker', '**/_SUCCESS', '--no-marker-member'],
      upload,
    );

    // Assess: run/1/ closes when the marker arrives, long before its quiet period; run/2/ on quiet
    expect(member.stderr).toBe('');
    expect(member.code).toBe(0);
    expect(summary(member.stdout)).toEqual([
      [
        'run/1/',
        3,
        'marker',
        '2024-05-01T12:00:20.000Z',
        ['run/1/a.parquet', 'run/1/b.parquet', 'run/1/_SUCCESS'],
      ],
      ['run/2/', 1, 'quiet', '2024-05-01T12:05:05.000Z', ['run/2/x.parquet']],
    ]);
    expect(notMember.code).toBe(0);
    expect(summary(notMember.stdout)[0]).toEqual([
      'run/1/',
      2,
      'marker',
      '2024-05-01T12:00:20.000Z',
      ['run/1/a.parquet', 'run/1/b.parquet'],
    ]);
  });

  it('reports a malformed line with its number and field, prints nothing on stdout and exits 2', () => {
    // Prepare
    const input = [UPLOADS, line('yesterday', 'a/b/c.txt')].join('\n');

    // Act
    const result = bucketflow(['batch', 'simulate', '--json'], input);

    // Assess
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'bucketflow: line 9: "time" must be an ISO-8601 instant with a time zone, e.g. "2024-05-01T12:00:00Z"\n',
    });
  });

  it('lists every malformed line', () => {
    // Act
    const result = bucketflow(
      ['batch', 'simulate'],
      [
        '{"time": "2024-05-01T12:00:00Z"',
        '[]',
        '{"time":"2024-05-01T12:00:00Z","bucket":"b","key":"k","type":"put"}',
      ].join('\n'),
    );

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^bucketflow: 3 malformed input lines/);
    expect(result.stderr).toContain('line 1: not valid JSON');
    expect(result.stderr).toContain('line 2: must be a JSON object');
    expect(result.stderr).toContain('line 3: "type" must be "created" or "deleted"');
  });

  it.each([
    [
      ['--max-age', '60', '--quiet', '300'],
      /^bucketflow: --max-age: must be >= --quiet \(300\), got 60/,
    ],
    [['--count', '0'], /^bucketflow: --count: expected an integer >= 1, got '0'/],
    [['--count', '10001'], /^bucketflow: --count: must be an integer from 1 to 10000, got 10001/],
    [
      ['--quiet', '10000000000000'],
      /^bucketflow: --quiet: must be an integer number of seconds from 1 to 1209600 \(14 days, the members' retention\), got 10000000000000/,
    ],
    [['--marker', '[_SUCCESS'], /^bucketflow: --marker: glob '\[_SUCCESS': unclosed '\['.*\n/],
    [['--prefix-depth', '-1'], /^bucketflow: --prefix-depth: expected an integer >= 0/],
    [
      ['--ignore', 'raw/*,tmp/[a'],
      /^bucketflow: --ignore\[1\]: glob 'tmp\/\[a': unclosed '\['.*\n {2}tmp\/\[a\n {6}\^\n$/,
    ],
  ])('rejects the options %j with a message naming the option and exits 2', (options, message) => {
    // Act
    const result = bucketflow(['batch', 'simulate', ...options], UPLOADS);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('reports a missing file and exits 2', () => {
    // Act
    const result = bucketflow(['batch', 'simulate', join(tempDir, 'missing.jsonl')]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^bucketflow: cannot read .*missing\.jsonl: no such file/);
  });

  it('prints an empty array, or no batches, for empty input', () => {
    // Act
    const json = bucketflow(['batch', 'simulate', '--json'], '\n\n');
    const plain = bucketflow(['batch', 'simulate'], '');

    // Assess
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(plain).toEqual({
      code: 0,
      stdout:
        'no batches closed\nevents read 0, counted 0, duplicates 0, deleted 0, ignored 0; 0 batches\n',
      stderr: '',
    });
  });
});
