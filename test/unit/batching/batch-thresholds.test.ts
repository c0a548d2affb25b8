import { describe, expect, it } from 'vitest';
import {
  createBatchPolicy,
  createBatchThresholds,
  MAX_BATCH_COUNT,
  MAX_BATCH_WAIT_SECONDS,
  MAX_PREFIX_DEPTH,
} from '../../../lambdas/core/batching/batch-thresholds.js';
import {
  InvalidBatchPolicyError,
  InvalidPolicyGlobError,
} from '../../../lambdas/core/batching/errors.js';
import { ValidationError } from '../../../lambdas/core/errors.js';

describe('createBatchPolicy', () => {
  it('defaults to EDP: prefix depth 2, 20 events, 300 s quiet, no maximum age, nothing ignored', () => {
    // Act
    const policy = createBatchPolicy();

    // Assess
    expect(policy).toMatchObject({ prefixDepth: 2, count: 20, quietSeconds: 300, ignore: [] });
    expect(policy.maxAgeSeconds).toBeUndefined();
  });

  it('accepts prefix depth 0, which batches a whole bucket', () => {
    // Act
    const policy = createBatchPolicy({ prefixDepth: 0 });

    // Assess
    expect(policy.prefixDepth).toBe(0);
  });

  it.each([
    [{ prefixDepth: -1 }, /^prefixDepth: must be an integer from 0 to 1024, got -1/],
    [{ prefixDepth: 1.5 }, /^prefixDepth: must be an integer from 0 to 1024/],
    [
      { prefixDepth: MAX_PREFIX_DEPTH + 1 },
      /^prefixDepth: must be an integer from 0 to 1024, got 1025/,
    ],
    [{ count: 0 }, /^count: must be an integer from 1 to 10000, got 0 \(use/],
    [{ count: 2.5 }, /^count: must be an integer/],
    [{ count: MAX_BATCH_COUNT + 1 }, /^count: must be an integer from 1 to 10000, got 10001/],
    [
      { quietSeconds: 0 },
      /^quietSeconds: must be an integer number of seconds from 1 to 1209600 \(14 days, the members' retention\), got 0/,
    ],
    [{ quietSeconds: Number.NaN }, /^quietSeconds: .*got NaN/],
    [
      { quietSeconds: 1e13 },
      /^quietSeconds: must be an integer number of seconds from 1 to 1209600 .*got 10000000000000/,
    ],
    [{ quietSeconds: MAX_BATCH_WAIT_SECONDS + 1 }, /^quietSeconds: .*from 1 to 1209600/],
    [
      { maxAgeSeconds: 0 },
      /^maxAgeSeconds: must be an integer number of seconds from 1 to 1209600/,
    ],
    [
      { maxAgeSeconds: 1e13 },
      /^maxAgeSeconds: must be an integer number of seconds from 1 to 1209600/,
    ],
    [{ marker: '' }, /^marker: must be a non-empty glob, got ""/],
    [{ markerIsMember: 'yes' as unknown as boolean }, /^markerIsMember: must be true or false/],
    [
      { quietSeconds: 300, maxAgeSeconds: 299 },
      /^maxAgeSeconds: must be >= quietSeconds \(300\), got 299.*\(raise maxAgeSeconds or lower quietSeconds\)$/,
    ],
  ])('rejects %j with a message naming the field and the fix', (input, message) => {
    // Act
    const attempt = () => createBatchPolicy(input);

    // Assess
    expect(attempt).toThrow(InvalidBatchPolicyError);
    expect(attempt).toThrow(message);
  });

  it("accepts the largest quiet period and maximum age, the members' retention", () => {
    // Act
    const thresholds = createBatchThresholds({
      quietSeconds: MAX_BATCH_WAIT_SECONDS,
      maxAgeSeconds: MAX_BATCH_WAIT_SECONDS,
    });

    // Assess
    expect(thresholds.quietSeconds).toBe(14 * 24 * 3600);
  });

  it('rejects an invalid marker glob with a ValidationError naming the field', () => {
    // Act
    const attempt = () => createBatchPolicy({ marker: '[_SUCCESS' }, { marker: '--marker' });

    // Assess
    expect(attempt).toThrow(InvalidPolicyGlobError);
    expect(attempt).toThrow(/^--marker: /);
  });

  it('makes the marker a member by default', () => {
    // Act
    const policy = createBatchPolicy({ marker: '_SUCCESS' });

    // Assess
    expect(policy).toMatchObject({ marker: '_SUCCESS', markerIsMember: true });
  });

  it('accepts a maximum age equal to the quiet period', () => {
    // Act
    const thresholds = createBatchThresholds({ quietSeconds: 60, maxAgeSeconds: 60 });

    // Assess
    expect(thresholds).toEqual({ count: 20, quietSeconds: 60, maxAgeSeconds: 60 });
  });

  it('names fields as the caller wrote them', () => {
    // Act
    const attempt = () =>
      createBatchPolicy(
        { quietSeconds: 60, maxAgeSeconds: 30 },
        { quietSeconds: '--quiet', maxAgeSeconds: '--max-age' },
      );

    // Assess
    expect(attempt).toThrow(/^--max-age: must be >= --quiet \(60\)/);
  });

  it('rejects an invalid ignore pattern with a ValidationError naming its index', () => {
    // Act
    const attempt = () => createBatchPolicy({ ignore: ['raw/*', '{a,b'] });

    // Assess
    expect(attempt).toThrow(InvalidPolicyGlobError);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/^ignore\[1\]: /);
  });

  it('compiles the ignore patterns once', () => {
    // Act
    const policy = createBatchPolicy({ ignore: ['raw/*', 'scratch'] });

    // Assess
    expect(policy.ignoreGlobs.map((glob) => glob.pattern)).toEqual(['raw/*', 'scratch']);
  });
});
