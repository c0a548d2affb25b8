import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidIdError } from '../../../lambdas/core/jobs/errors.js';
import {
  decodeUlidTime,
  encodeUlid,
  isUlid,
  MAX_ULID_TIME,
} from '../../../lambdas/core/jobs/ulid.js';

const bytes = fc.uint8Array({ minLength: 10, maxLength: 10 });
const time = fc.integer({ min: 0, max: MAX_ULID_TIME });

describe('encodeUlid', () => {
  it('encodes the time and randomness in Crockford base32', () => {
    // Act
    const low = encodeUlid(0, new Uint8Array(10));
    const high = encodeUlid(MAX_ULID_TIME, new Uint8Array(10).fill(255));

    // Assess
    expect(low).toBe('00000000000000000000000000');
    expect(high).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
  });

  it('keeps every random bit', () => {
    expect(encodeUlid(0, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])).at(-1)).toBe('1');
    expect(encodeUlid(0, Uint8Array.from([128, 0, 0, 0, 0, 0, 0, 0, 0, 0])).at(10)).toBe('G');
  });

  it('sorts as strings in time order', () => {
    fc.assert(
      fc.property(time, time, bytes, bytes, (t1, t2, r1, r2) => {
        fc.pre(t1 !== t2);
        // Act
        const [a, b] = [encodeUlid(t1, r1), encodeUlid(t2, r2)];

        // Assess
        expect(a < b).toBe(t1 < t2);
      }),
    );
  });

  it('decodes back to the time it encodes', () => {
    fc.assert(
      fc.property(time, bytes, (t, r) => {
        const id = encodeUlid(t, r);
        expect(isUlid(id)).toBe(true);
        expect(decodeUlidTime(id)).toBe(t);
      }),
    );
  });

  it.each([
    [-1, new Uint8Array(10), 'nowMs: must be an integer from 0 to 2^48 - 1'],
    [1.5, new Uint8Array(10), 'nowMs: must be an integer'],
    [2 ** 48, new Uint8Array(10), 'nowMs: must be an integer'],
    [0, new Uint8Array(4), 'randomBytes: must be a Uint8Array of 10 bytes, got 4'],
  ])('rejects time %s with %o', (now, random, message) => {
    expect(() => encodeUlid(now, random)).toThrow(InvalidIdError);
    expect(() => encodeUlid(now, random)).toThrow(message);
  });
});

describe('decodeUlidTime', () => {
  it.each([
    '',
    '01HF7YAT00000000000000000',
    '81HF7YAT000000000000000000',
    '01HF7YAT00000000000000000U',
  ])('rejects %j', (text) => {
    expect(() => decodeUlidTime(text)).toThrow(/is not a ULID/);
  });
});
