import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTaskIdentifierError } from '../../../lambdas/core/jobs/errors.js';
import {
  formatTaskIdentifier,
  isCompatible,
  parseTaskIdentifier,
  taskIdentifier,
} from '../../../lambdas/core/jobs/task-identifier.js';

describe('isCompatible', () => {
  const submitted = taskIdentifier('MyTask', 'v1.3');

  it.each([
    ['v1.3', true, 'the same version'],
    ['v1.5', true, 'a newer minor version'],
    ['v1.2', false, 'an older minor version'],
    ['v2.5', false, 'another major version'],
    ['v0.9', false, 'an older major version'],
  ])('lets a runner at %s run a v1.3 task: %s (%s)', (runnerVersion, expected) => {
    // Act
    const result = isCompatible(taskIdentifier('MyTask', runnerVersion), submitted);

    // Assess
    expect(result).toBe(expected);
  });

  it('refuses a runner whose task name differs only in case', () => {
    expect(isCompatible(taskIdentifier('mytask', 'v1.3'), submitted)).toBe(false);
  });

  it('matches the default version v0.0 on both sides', () => {
    // Prepare
    const runner = taskIdentifier('MyTask');

    // Act
    const result = isCompatible(runner, parseTaskIdentifier('MyTask'));

    // Assess
    expect(runner.version).toBe('v0.0');
    expect(result).toBe(true);
  });

  it('is true exactly when the majors match and the runner minor is not lower', () => {
    const part = fc.nat({ max: 20 });
    fc.assert(
      fc.property(part, part, part, part, (a, b, x, y) => {
        const runner = taskIdentifier('T', `v${a}.${b}`);
        expect(isCompatible(runner, taskIdentifier('T', `v${x}.${y}`))).toBe(a === x && b >= y);
      }),
    );
  });
});

describe('parseTaskIdentifier', () => {
  it('reads name@vX.Y and canonicalises leading zeros', () => {
    expect(parseTaskIdentifier('tilebox.com/example/MyTask@v01.20')).toEqual({
      name: 'tilebox.com/example/MyTask',
      version: 'v1.20',
    });
  });

  it('splits at the last @ so names may contain @', () => {
    expect(parseTaskIdentifier('user@example/Task@v2.0')).toEqual({
      name: 'user@example/Task',
      version: 'v2.0',
    });
  });

  it('rejects a malformed version after @ instead of taking it as part of the name', () => {
    expect(() => parseTaskIdentifier('Task@v1')).toThrow(
      /identifier: "v1" after the last '@' in "Task@v1" is not a version vX.Y/,
    );
  });

  it.each([
    ['', /identifier.name: must not be empty/],
    ['@v1.0', /identifier.name: must not be empty/],
    ['a'.repeat(257), /is 257 characters long, more than the 256 allowed/],
    ['Bad\nName', /unprintable character U\+000A at index 3/],
    ['Task@v1.2.3', /is not a version vX.Y/],
    ['Task@V1.2', /is not a version vX.Y/],
    ['Task@v99999999999999999999.0', /is not a version vX.Y/],
  ])('rejects %j', (text, message) => {
    expect(() => parseTaskIdentifier(text)).toThrow(InvalidTaskIdentifierError);
    expect(() => parseTaskIdentifier(text)).toThrow(message);
  });

  it('accepts a 256-character name of astral characters', () => {
    expect(taskIdentifier('😀'.repeat(256)).name).toHaveLength(512);
  });

  it('reads back every formatted identifier', () => {
    const name = fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((s) => !/[\p{Cc}\p{Cs}]/u.test(s));
    fc.assert(
      fc.property(name, fc.nat({ max: 999 }), fc.nat({ max: 999 }), (text, major, minor) => {
        // Prepare
        const identifier = taskIdentifier(text, `v${major}.${minor}`);

        // Act
        const parsed = parseTaskIdentifier(formatTaskIdentifier(identifier));

        // Assess
        expect(parsed).toEqual(identifier);
      }),
    );
  });
});

describe('formatTaskIdentifier', () => {
  it('always writes the version', () => {
    expect(formatTaskIdentifier(taskIdentifier('Resize'))).toBe('Resize@v0.0');
  });
});
