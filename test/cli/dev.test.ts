import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('bucketflow dev', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'bucketflow-dev-cli-'));

  /** Runs the real CLI with `PATH` limited to `path` (undefined: the test's own). */
  const dev = (args: string[], path?: string) => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bin/bucketflow.ts', 'dev', '--data-dir', join(scratch, 'data'), ...args],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, ...(path === undefined ? {} : { PATH: path }) },
      },
    );
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('exits 2 saying how to install Java when no java is on the PATH', () => {
    // Prepare: a PATH holding node and nothing else
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));

    // Act
    const result = dev([], bin);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs Java 17\+ .*apt-get install openjdk-17-jre-headless/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming the file when --config does not exist', () => {
    // Act
    const result = dev(['--config', 'missing.config.ts']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^bucketflow: --config: .*missing\.config\.ts does not exist/);
  });

  it('exits 2 naming the option when a port is not a number', () => {
    // Act
    const result = dev(['--port-s3', 'eighty']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port-s3: expected an integer >= 1, got 'eighty'/);
  });
});
