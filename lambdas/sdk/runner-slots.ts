import type { ReceivedTask } from '../core/ports/task-queue.js';
import type { AttemptOutcome } from './task-attempt.js';
import type { RunSummary } from './task-runner-options.js';

/** Processes one delivery to its outcome; never throws (see `processDelivery`). */
export type ProcessDelivery = (delivery: ReceivedTask) => Promise<AttemptOutcome>;

/**
 * A runner's concurrency slots: deliveries received wait in a buffer and
 * start as slots free up, at most `concurrency` at once. It records each
 * outcome in the run's summary, remembers the messages handed on (they may
 * still sit in the queues), and wakes the pollers waiting for a free slot.
 *
 * @example
 * ```ts
 * const slots = new RunnerSlots(8, (delivery) => processDelivery(deps, delivery, acks));
 * slots.enqueue(await queue.receive(route, { max: slots.free() }));
 * await slots.settled();
 * ```
 */
export class RunnerSlots {
  readonly #concurrency: number;
  readonly #process: ProcessDelivery;
  readonly #running = new Set<Promise<void>>();
  readonly #buffer: ReceivedTask[] = [];
  /** Messages this runner handed on that may still sit in the queues. */
  readonly #handedOn = new Set<string>();
  #waiters: Array<() => void> = [];
  #summary = emptySummary();

  constructor(concurrency: number, process: ProcessDelivery) {
    this.#concurrency = concurrency;
    this.#process = process;
  }

  /** Deliveries being processed right now. */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Deliveries received and not started yet. */
  get bufferedCount(): number {
    return this.#buffer.length;
  }

  /** Messages handed on that may still be counted in the queues. */
  get handedOnCount(): number {
    return this.#handedOn.size;
  }

  /** Slots neither running nor promised to a buffered delivery. */
  free(): number {
    return this.#concurrency - this.#running.size - this.#buffer.length;
  }

  enqueue(deliveries: readonly ReceivedTask[]): void {
    this.#buffer.push(...deliveries);
    this.#pump();
  }

  /** Takes the deliveries that have not started (to hand them back when stopping). */
  takeBuffered(): ReceivedTask[] {
    return this.#buffer.splice(0);
  }

  /** Resolves when a delivery ends (a slot may be free) or {@link wake} is called. */
  changed(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves when one of the running deliveries ends; at once when none runs. */
  async anyEnded(): Promise<void> {
    if (this.#running.size > 0) await Promise.race(this.#running);
  }

  /** Waits until no delivery runs, including those started while waiting. */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  /** Wakes every caller of {@link changed}. */
  wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Starts a fresh summary and returns a view of it: a getter view, so the
   * caller's summary reflects outcomes recorded after it was returned.
   */
  resetSummary(): RunSummary {
    this.#summary = emptySummary();
    const view = {} as Record<AttemptOutcome, number>;
    for (const key of Object.keys(this.#summary) as AttemptOutcome[]) {
      Object.defineProperty(view, key, { enumerable: true, get: () => this.#summary[key] });
    }
    return view;
  }

  /** Starts buffered deliveries while slots are free. */
  #pump(): void {
    while (this.#running.size < this.#concurrency) {
      const delivery = this.#buffer.shift();
      if (!delivery) break;
      this.#start(delivery);
    }
  }

  #start(delivery: ReceivedTask): void {
    const key = deliveryKey(delivery);
    const running = this.#process(delivery).then((outcome) => {
      this.#summary = { ...this.#summary, [outcome]: this.#summary[outcome] + 1 };
      if (outcome === 'handed-on') this.#handedOn.add(key);
      else this.#handedOn.delete(key);
      this.#running.delete(running);
      this.#pump();
      this.wake();
    });
    this.#running.add(running);
  }
}

function deliveryKey(delivery: ReceivedTask): string {
  const { jobId, taskId, attempt } = delivery.message;
  return `${jobId}/${taskId}/${attempt}`;
}

function emptySummary(): Record<AttemptOutcome, number> {
  return {
    computed: 0,
    failed: 0,
    'handed-on': 0,
    skipped: 0,
    'claim-error': 0,
    'lease-lost': 0,
    error: 0,
  };
}
