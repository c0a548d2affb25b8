import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunk,
  type EntryFailure,
  sendInBatches,
} from '../../../lambdas/adapters/aws/partial-batch-retry.js';

const fast = { maxAttempts: 3, baseDelayMs: 1, concurrency: 2 };

describe('chunk', () => {
  it('keeps every entry in order in batches within the entry and byte limits', () => {
    // Prepare
    const sizes = fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 60 });

    // Act and Assess
    fc.assert(
      fc.property(sizes, fc.integer({ min: 1, max: 10 }), (entries, maxEntries) => {
        const batches = chunk(entries, { maxEntries, maxBytes: 100, sizeOf: (size) => size });
        expect(batches.flat()).toEqual(entries);
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(maxEntries);
          expect(batch.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(100);
        }
      }),
    );
  });

  it('makes ceil(n/10) batches of entries without sizes', () => {
    // Act and Assess
    for (const n of [0, 1, 10, 11, 25]) {
      expect(chunk(Array.from({ length: n }), { maxEntries: 10 })).toHaveLength(Math.ceil(n / 10));
    }
  });
});

describe('sendInBatches', () => {
  it('sends only the retryable failures again and reports what is left', async () => {
    // Prepare
    const calls: string[][] = [];
    const send = async (batch: readonly string[]): Promise<EntryFailure[]> => {
      calls.push([...batch]);
      return batch.flatMap((entry, index): EntryFailure[] => {
        if (entry === 'flaky' && calls.length === 1) {
          return [{ index, code: 'Busy', message: 'try again', retryable: true }];
        }
        if (entry === 'stuck') return [{ index, code: 'Busy', message: 'still', retryable: true }];
        if (entry === 'bad') return [{ index, code: 'Malformed', message: 'no', retryable: false }];
        return [];
      });
    };

    // Act
    const failed = await sendInBatches(
      ['ok', 'flaky', 'stuck', 'bad'],
      { maxEntries: 10 },
      send,
      fast,
    );

    // Assess
    expect(calls).toEqual([['ok', 'flaky', 'stuck', 'bad'], ['flaky', 'stuck'], ['stuck']]);
    expect(failed).toEqual([
      { entry: 'bad', code: 'Malformed', message: 'no' },
      { entry: 'stuck', code: 'Busy', message: 'still' },
    ]);
  });

  it('counts a call that throws as a retryable failure of all its entries', async () => {
    // Prepare
    let calls = 0;
    const send = async (): Promise<EntryFailure[]> => {
      calls++;
      throw Object.assign(new Error('socket hang up'), { name: 'NetworkError' });
    };

    // Act
    const failed = await sendInBatches(['a', 'b'], { maxEntries: 10 }, send, fast);

    // Assess
    expect(calls).toBe(3);
    expect(failed).toEqual([
      { entry: 'a', code: 'NetworkError', message: 'socket hang up' },
      { entry: 'b', code: 'NetworkError', message: 'socket hang up' },
    ]);
  });
});
