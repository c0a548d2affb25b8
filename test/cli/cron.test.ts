import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the real CLI (through tsx, without npx so that npm's own warnings stay out of stderr). */
function bucketflow(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/bucketflow.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bucketflow cron next', () => {
  it('prints each fire time as a UTC instant and an aligned local time with offset', () => {
    // Act
    const result = bucketflow([
      'cron',
      'next',
      '30 2 * * *',
      '--tz',
      'Europe/Berlin',
      '--from',
      '2026-03-27T00:00:00Z',
      '--count',
      '4',
    ]);

    // Assess: 02:30 does not exist on 29 March, so it fires when the clock jumps to 03:00
    expect(result).toEqual({
      code: 0,
      stdout:
        '2026-03-27T01:30:00.000Z  2026-03-27 02:30 CET  (+01:00)\n' +
        '2026-03-28T01:30:00.000Z  2026-03-28 02:30 CET  (+01:00)\n' +
        '2026-03-29T01:00:00.000Z  2026-03-29 03:00 CEST (+02:00)\n' +
        '2026-03-30T00:30:00.000Z  2026-03-30 02:30 CEST (+02:00)\n',
      stderr: '',
    });
  });

  it('prints a JSON array of UTC instants with --json', () => {
    // Act
    const result = bucketflow([
      'cron',
      'next',
      '*/15 * * * *',
      '--tz',
      'Europe/Berlin',
      '--from',
      '2026-10-25T00:30:00Z',
      '--count',
      '3',
      '--json',
    ]);

    // Assess: the repeated hour fires every 15 real minutes
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      '2026-10-25T00:45:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T01:15:00.000Z',
    ]);
  });

  it('reads a --from without offset as local time in --tz', () => {
    // Act
    const result = bucketflow([
      'cron',
      'next',
      '@daily',
      '--tz',
      'America/New_York',
      '--from',
      '2026-10-31T23:59',
      '--count',
      '2',
      '--json',
    ]);

    // Assess
    expect(JSON.parse(result.stdout)).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
    ]);
  });

  it('shows only the offset where the zone has no common abbreviation', () => {
    // Act
    const result = bucketflow([
      'cron',
      'next',
      '0 12 * * *',
      '--tz',
      'Australia/Lord_Howe',
      '--from',
      '2026-04-04T00:00:00Z',
      '--count',
      '2',
    ]);

    // Assess
    expect(result.stdout).toBe(
      '2026-04-04T01:00:00.000Z  2026-04-04 12:00 (+11:00)\n' +
        '2026-04-05T01:30:00.000Z  2026-04-05 12:00 (+10:30)\n',
    );
  });

  it('prints five fire times after now by default, in UTC', () => {
    // Prepare
    const before = Date.now();

    // Act
    const result = bucketflow(['cron', 'next', '* * * * *', '--json']);

    // Assess
    const fires = (JSON.parse(result.stdout) as string[]).map((fire) => Date.parse(fire));
    expect(fires).toHaveLength(5);
    expect(fires[0]).toBeGreaterThan(before - 60_000);
    expect(fires[4] ?? 0).toBe((fires[0] ?? 0) + 4 * 60_000);
  });

  it.each([
    [
      ['61 * * * *'],
      "bucketflow: cron '61 * * * *': minute field '61' is out of range 0-59 (use values 0-59 in the minute field)\n",
    ],
    [
      ['0 0 9 * * *'],
      "bucketflow: cron '0 0 9 * * *': has 6 fields; a seconds or year field is not supported (write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * MON-FRI')\n",
    ],
    [
      ['* * * * *', '--tz', 'Europe/Berln'],
      "bucketflow: timezone 'Europe/Berln': not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')\n",
    ],
    [
      ['* * * * *', '--from', '2026-02-30T00:00:00Z'],
      "bucketflow: --from '2026-02-30T00:00:00Z': not an ISO-8601 date-time (e.g. '2026-03-29T00:00:00Z'; without an offset it is local time in --tz)\n",
    ],
    [['* * * * *', '--count', 'ten'], "bucketflow: --count: expected an integer >= 1, got 'ten'\n"],
    [['* * * * *', '--count', '10001'], 'bucketflow: --count: must be at most 10000, got 10001\n'],
    [
      ['0', '9', '*', '*', '*'],
      "bucketflow: cron: expected the expression as one argument, got 5 (quote it: bucketflow cron next '*/15 * * * *')\n",
    ],
  ])('rejects %j on stderr with exit code 2', (args, stderr) => {
    // Act
    const result = bucketflow(['cron', 'next', ...args]);

    // Assess
    expect(result).toEqual({ code: 2, stdout: '', stderr });
  });
});
