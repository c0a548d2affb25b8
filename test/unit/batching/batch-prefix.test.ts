import { describe, expect, it } from 'vitest';
import { batchPrefix } from '../../../lambdas/core/batching/batch-prefix.js';
import { InvalidPolicyGlobError } from '../../../lambdas/core/batching/errors.js';
import {
  compileIgnorePatterns,
  isIgnored,
  splitIgnoreList,
} from '../../../lambdas/core/batching/ignore-patterns.js';
import { ValidationError } from '../../../lambdas/core/errors.js';
import { InvalidGlobError } from '../../../lambdas/core/glob/errors.js';

describe('batchPrefix', () => {
  it.each([
    ['a/b/c/d.txt', 2, 'a/b/'],
    ['a/b/c/d.txt', 1, 'a/'],
    ['a/b/c/d.txt', 3, 'a/b/c/'],
    ['a/b.txt', 3, 'a/'],
    ['a/b/c.txt', 2, 'a/b/'],
    ['b.txt', 2, ''],
    ['a/b/c/d.txt', 0, ''],
    ['a//b.txt', 2, 'a//'],
    ['a/b/', 2, 'a/b/'],
  ])('cuts %s at depth %i to %j', (key, depth, expected) => {
    // Act
    const prefix = batchPrefix(key, depth);

    // Assess
    expect(prefix).toBe(expected);
  });
});

describe('isIgnored', () => {
  it('ignores a key the pattern matches', () => {
    // Prepare
    const globs = compileIgnorePatterns(['raw/*']);

    // Act
    const ignored = isIgnored('raw/a.txt', globs);

    // Assess
    expect(ignored).toBe(true);
  });

  it('ignores a key when the pattern matches one of its folders without the trailing slash', () => {
    // Prepare
    const globs = compileIgnorePatterns(['raw/*', 'scratch']);

    // Act
    const results = ['raw/x/b.txt', 'scratch/a.txt', 'scratch/deep/er/b.txt'].map((key) =>
      isIgnored(key, globs),
    );

    // Assess
    expect(results).toEqual([true, true, true]);
  });

  it('keeps keys that neither the key nor any folder matches', () => {
    // Prepare
    const globs = compileIgnorePatterns(['raw/*', 'scratch']);

    // Act
    const results = ['rawdata/a.txt', 'raw', 'data/scratch/a.txt', 'scratchpad/a.txt'].map((key) =>
      isIgnored(key, globs),
    );

    // Assess
    expect(results).toEqual([false, false, false, false]);
  });

  it('ignores nothing without patterns', () => {
    // Act
    const ignored = isIgnored('raw/a.txt', []);

    // Assess
    expect(ignored).toBe(false);
  });
});

describe('compileIgnorePatterns', () => {
  it('names the bad pattern by its place in the list and keeps the glob error as cause', () => {
    // Act
    let caught: unknown;
    try {
      compileIgnorePatterns(['raw/*', 'tmp/[a'], 'ignore');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(InvalidPolicyGlobError);
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as InvalidPolicyGlobError;
    expect(error.message).toMatch(/^ignore\[1\]: glob 'tmp\/\[a': unclosed/);
    expect(error.field).toBe('ignore[1]');
    expect(error.cause).toBeInstanceOf(InvalidGlobError);
    expect(error.pointer).toBe('  tmp/[a\n      ^');
  });
});

describe('splitIgnoreList', () => {
  it.each([
    ['raw/*,scratch', ['raw/*', 'scratch']],
    ['raw/*, scratch/*', ['raw/*', 'scratch/*']],
    ['{tmp,scratch}/**,raw', ['{tmp,scratch}/**', 'raw']],
    ['a\\,b,c', ['a\\,b', 'c']],
    ['', []],
    ['raw/*,,', ['raw/*']],
  ])('splits %j into %j', (list, expected) => {
    // Act
    const items = splitIgnoreList(list);

    // Assess
    expect(items).toEqual(expected);
  });
});
