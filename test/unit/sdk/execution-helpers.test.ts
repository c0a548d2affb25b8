import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { validateTaskSpec } from '../../../lambdas/core/jobs/task-spec.js';
import { InvalidCacheKeyError } from '../../../lambdas/sdk/errors.js';
import { clampDisplay } from '../../../lambdas/sdk/execution-context.js';
import { joinCacheKey, MAX_CACHE_KEY_LENGTH } from '../../../lambdas/sdk/job-cache.js';

describe('joinCacheKey', () => {
  it('joins a key to its group path', () => {
    expect(joinCacheKey('', 'data')).toBe('data');
    expect(joinCacheKey('numbers', 'n1')).toBe('numbers/n1');
    expect(joinCacheKey('a', 'b/c')).toBe('a/b/c');
  });

  it.each([
    ['', 'must not be empty'],
    ['/a', 'has an empty segment'],
    ['a/', 'has an empty segment'],
    ['a//b', 'has an empty segment'],
    ['a/../b', "has a '..' segment"],
    ['./a', "has a '.' segment"],
    ['a\nb', 'unprintable character U+000A'],
  ])('rejects the key %j', (key, problem) => {
    // Act
    const act = () => joinCacheKey('', key);

    // Assess
    expect(act).toThrow(InvalidCacheKeyError);
    expect(act).toThrow(problem);
  });

  it('bounds the full key, group path included', () => {
    // Prepare
    const group = 'g'.repeat(MAX_CACHE_KEY_LENGTH - 2);

    // Act
    const act = () => joinCacheKey(group, 'ab', 'group.key');

    // Assess
    expect(joinCacheKey(group, 'a')).toHaveLength(MAX_CACHE_KEY_LENGTH);
    expect(act).toThrow('group.key: the full key is 513 characters long');
  });
});

describe('clampDisplay', () => {
  it('keeps line breaks, replaces other control characters and cuts long text to 1024 characters', () => {
    expect(clampDisplay('Leaf\nNr. 1', 'SubTask')).toBe('Leaf\nNr. 1');
    expect(clampDisplay('Leaf\r\nNr.\t1\r', 'SubTask')).toBe('Leaf\nNr. 1\n');
    expect(Array.from(clampDisplay('é'.repeat(2000), 'T'))).toHaveLength(1024);
  });

  it('falls back when nothing is left', () => {
    expect(clampDisplay('', 'SubTask')).toBe('SubTask');
    expect(clampDisplay(undefined, 'SubTask')).toBe('SubTask');
  });

  it('always yields a display the core accepts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1500, unit: 'binary' }), (text) => {
        // Act
        const display = clampDisplay(text, 'Fallback');

        // Assess
        expect(() =>
          validateTaskSpec({ identifier: taskIdentifier('T'), input: {}, display }),
        ).not.toThrow();
      }),
    );
  });
});
