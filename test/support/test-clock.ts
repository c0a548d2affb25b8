/**
 * The one clock of a test world. Every store, queue, handler and runner a
 * test builds reads this clock, and only the test moves it, so no expiry is
 * written against one time and read against another. A test that starts
 * its world at a literal date passes that date; CI also runs the suites
 * with the system clock a year ahead, which a test fails if some component
 * still reads the wall clock.
 *
 * @example
 * ```ts
 * const clock = testClock(Date.parse('2026-11-23T10:00:00Z'));
 * const env = await createTestRuntime({ clock });
 * clock.advance(15_000);
 * ```
 */
export interface TestClock {
  /** Epoch ms. */
  (): number;
  set(at: number | string): void;
  advance(ms: number): void;
}

export function testClock(start: number | string): TestClock {
  let now = toMs(start);
  const clock = (() => now) as TestClock;
  clock.set = (at) => {
    now = toMs(at);
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

function toMs(at: number | string): number {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new Error(`testClock: not a time: ${String(at)}`);
  return ms;
}
