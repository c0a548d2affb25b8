import { describe, expect, it } from 'vitest';
import {
  createBatchPolicy,
  createBatchThresholds,
  MAX_BATCH_COUNT,
} from '../../../lambdas/core/batching/batch-thresholds.js';
import {
  InvalidBatchPolicyError,
  InvalidIgnorePatternError,
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
    [{ prefixDepth: -1 }, /^prefixDepth: must be an integer >= 0, got -1/],
    [{ prefixDepth: 1.5 }, /^prefixDepth: must be an integer >= 0/],
    [{ count: 0 }, /^count: must be an integer from 1 to 1000, got 0 \(use/],
    [{ count: 2.5 }, /^count: must be an integer/],
    [{ count: MAX_BATCH_COUNT + 1 }, /^count: must be an integer from 1 to 1000, got 1001/],
    [{ quietSeconds: 0 }, /^quietSeconds: must be an integer number of seconds >= 1, got 0/],
    [{ quietSeconds: Number.NaN }, /^quietSeconds: .*got NaN/],
    [{ maxAgeSeconds: 0 }, /^maxAgeSeconds: must be an integer number of seconds >= 1/],
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
    expect(attempt).toThrow(InvalidIgnorePatternError);
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
