import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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

/** How long the stdin test lets the command run before it counts as waiting for input. */
const STDIN_GUARD_MS = 60_000;

describe('bucketflow match', () => {
  it('prints one verdict per key argument, in argument order', () => {
    // Act
    const result = bucketflow(['match', '**/*.ext', 'x/a.ext', 'a.ext', 'x/y/a.ext']);

    // Assess
    expect(result).toEqual({
      code: 0,
      stdout: 'match\tx/a.ext\nno-match\ta.ext\nmatch\tx/y/a.ext\n',
      stderr: '',
    });
  });

  it('reads keys from stdin, one per line, when no key is given', () => {
    // Act: CRLF line ends and blank lines, as pasted lists have
    const result = bucketflow(['match', 'folder/*'], 'folder/a\r\nfolder/a/b\n\nother/a\n');

    // Assess
    expect(result).toEqual({
      code: 0,
      stdout: 'match\tfolder/a\nno-match\tfolder/a/b\nno-match\tother/a\n',
      stderr: '',
    });
  });

  it('prints a JSON array of key and match with --json', () => {
    // Act
    const result = bucketflow(['match', '--json', '**.csv', 'a.csv', 'x/y/b.csv', 'c.txt']);

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { key: 'a.csv', match: true },
      { key: 'x/y/b.csv', match: true },
      { key: 'c.txt', match: false },
    ]);
  });

  it('exits 0 when no key matches', () => {
    // Act
    const result = bucketflow(['match', '[a-z].txt', 'ab.txt', 'A.txt']);

    // Assess
    expect(result).toEqual({
      code: 0,
      stdout: 'no-match\tab.txt\nno-match\tA.txt\n',
      stderr: '',
    });
  });

  it('rejects an invalid pattern on stderr with its position and exit code 2', () => {
    // Act
    const result = bucketflow(['match', 'data/[a-z', 'data/a']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "bucketflow: glob 'data/[a-z': unclosed '[' at position 5 (close it with ']' or escape it as '\\[')\n" +
        '  data/[a-z\n' +
        '       ^\n',
    );
  });

  it(
    'rejects an invalid pattern without waiting for keys on stdin',
    async () => {
      // Prepare: stdin stays open, so a command that read it first would never finish
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'bin/bucketflow.ts', 'match', 'a{b,c'],
        {
          cwd: ROOT,
        },
      );
      // Only a command that waits on stdin runs this long; a loaded 2-core CI machine takes
      // several seconds just to start tsx, so the guard leaves it a wide margin.
      const guard = setTimeout(() => child.kill(), STDIN_GUARD_MS);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });

      // Act
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      clearTimeout(guard);
      child.stdin.destroy();

      // Assess
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain("unclosed '{' at position 1");
    },
    STDIN_GUARD_MS + 30_000,
  );

  it('fails with exit code 2 when the pattern is missing', () => {
    // Act
    const result = bucketflow(['match']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("missing required argument 'pattern'");
  });
});
