import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('bucketflow --version', () => {
  it('prints the version of the package it belongs to', () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
      version: string;
    };

    // Act
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bin/bucketflow.ts', '--version'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );

    // Assess
    expect({ code: result.status, stdout: result.stdout }).toEqual({
      code: 0,
      stdout: `${manifest.version}\n`,
    });
  });
});
