import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_LEASE_EXPIRIES,
  planFailedAttempt,
  planLeaseExpiry,
  RETRY_MAX_DELAY_SECONDS,
  retryDelaySeconds,
} from '../../../lambdas/core/jobs/retry-policy.js';

describe('retryDelaySeconds', () => {
  it('doubles from 1 s and stops at 300 s', () => {
    // Act
    const delays = [1, 2, 3, 4, 8, 9, 10, 11, 1000].map(retryDelaySeconds);

    // Assess
    expect(delays).toEqual([1, 2, 4, 8, 128, 256, 300, 300, 300]);
  });

  it('never decreases and never exceeds the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (retry) => {
        const delay = retryDelaySeconds(retry);
        expect(delay).toBeLessThanOrEqual(RETRY_MAX_DELAY_SECONDS);
        expect(retryDelaySeconds(retry + 1)).toBeGreaterThanOrEqual(delay);
      }),
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects retry number %s', (retry) => {
    expect(() => retryDelaySeconds(retry)).toThrow(/retry: must be an integer >= 1/);
  });
});

describe('planFailedAttempt', () => {
  it('re-queues with the backoff delay while retries remain', () => {
    expect(planFailedAttempt({ retries: 2, leaseExpiries: 1, maxRetries: 5 }, true)).toEqual({
      state: 'QUEUED',
      delaySeconds: 4,
      retries: 3,
      leaseExpiries: 1,
    });
  });

  it('fails the task when no retries remain', () => {
    // Act
    const outcome = planFailedAttempt({ retries: 5, leaseExpiries: 0, maxRetries: 5 }, true);

    // Assess
    expect(outcome.state).toBe('FAILED');
    expect(outcome).toMatchObject({ reason: 'the task failed after 5 retries (maxRetries 5)' });
  });

  it('fails at once with the default of no retries', () => {
    expect(planFailedAttempt({ retries: 0, leaseExpiries: 0, maxRetries: 0 }, true).state).toBe(
      'FAILED',
    );
  });

  it('cancels instead of re-queueing when the job accepts no new work', () => {
    expect(planFailedAttempt({ retries: 0, leaseExpiries: 0, maxRetries: 3 }, false).state).toBe(
      'CANCELLED',
    );
  });
});

describe('planLeaseExpiry', () => {
  it('re-queues at once up to the limit', () => {
    // Act
    const outcome = planLeaseExpiry({ retries: 0, leaseExpiries: MAX_LEASE_EXPIRIES - 1 }, true);

    // Assess
    expect(outcome).toEqual({
      state: 'QUEUED',
      delaySeconds: 0,
      retries: 0,
      leaseExpiries: MAX_LEASE_EXPIRIES,
    });
  });

  it('fails the task on the expiry after the tenth re-queue', () => {
    // Act
    const outcome = planLeaseExpiry({ retries: 3, leaseExpiries: MAX_LEASE_EXPIRIES }, true);

    // Assess
    expect(outcome.state).toBe('FAILED');
    expect(outcome.leaseExpiries).toBe(11);
  });

  it('cancels instead of re-queueing when the job accepts no new work', () => {
    expect(planLeaseExpiry({ retries: 0, leaseExpiries: 0 }, false).state).toBe('CANCELLED');
  });
});
