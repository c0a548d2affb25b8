import { resolve, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareKeys,
  folderBelow,
  localKeyProblem,
  validateLocalObjectKey,
  validateObjectKey,
} from '../../../lambdas/core/storage/object-key.js';

describe('validateObjectKey', () => {
  it('accepts any non-empty key of at most 1024 UTF-8 bytes', () => {
    // Act
    const keys = ['a', '../odd but legal on S3', 'ü'.repeat(512)];

    // Assess
    for (const key of keys) expect(validateObjectKey(key)).toBe(key);
  });

  it('refuses an empty key and one over 1024 bytes, naming the field', () => {
    // Act
    const empty = () => validateObjectKey('', 'from');
    const long = () => validateObjectKey('ü'.repeat(513));

    // Assess
    expect(empty).toThrow(/^from: must be a non-empty string/);
    expect(long).toThrow(/key: is 1026 bytes of UTF-8; object keys are limited to 1024/);
  });
});

describe('localKeyProblem', () => {
  it.each([
    ['a/b.txt', undefined],
    ['.hidden/x..y', undefined],
    ['..', 'has a ".." segment'],
    ['a/./b', 'has a "." segment'],
    ['/abs', "is absolute (starts with '/')"],
    ['c:/x', 'starts with a drive letter'],
    ['a\\b', "contains '\\' (keys separate folders with '/')"],
    ['a\0', 'contains a NUL character'],
    ['a/', "has an empty segment (a leading, trailing or doubled '/')"],
  ])('judges %j', (key, problem) => {
    // Act
    const found = localKeyProblem(key);

    // Assess
    expect(found).toBe(problem);
  });

  it('never accepts a key that resolves outside the root or onto it', () => {
    // Prepare
    const root = resolve('/srv/bucketflow-root');
    const pieces = fc.constantFrom('a', 'b', '.', '..', '/', '\\', '\0', 'C:', ' ', '.x');
    const keys = fc.array(pieces, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));

    // Act and Assess
    fc.assert(
      fc.property(keys, (key) => {
        if (localKeyProblem(key) !== undefined) return;
        const path = resolve(root, ...key.split('/'));
        expect(path.startsWith(`${root}${sep}`)).toBe(true);
      }),
    );
  });

  it('throws with the key and the fix from validateLocalObjectKey', () => {
    // Act
    const validate = () => validateLocalObjectKey('a/../../etc/passwd');

    // Assess
    expect(validate).toThrow(
      `key: "a/../../etc/passwd" has a ".." segment (use a relative '/'-separated path inside the folder)`,
    );
  });
});

describe('folderBelow', () => {
  it('returns the next folder level below a prefix, or undefined for a direct child', () => {
    // Act and Assess
    expect(folderBelow('a/b/c.txt', 'a/')).toBe('a/b/');
    expect(folderBelow('a/b/c.txt', 'a')).toBe('a/');
    expect(folderBelow('a/b.txt', 'a/')).toBeUndefined();
    expect(folderBelow('ab/c', '')).toBe('ab/');
  });
});

describe('compareKeys', () => {
  it('orders keys by their UTF-8 bytes, as S3 lists them', () => {
    // Prepare
    const keys = fc.string({ unit: 'binary', maxLength: 6 });

    // Act and Assess
    fc.assert(
      fc.property(keys, keys, (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
        expect(Math.sign(compareKeys(a, b))).toBe(bytes);
      }),
    );
  });
});
