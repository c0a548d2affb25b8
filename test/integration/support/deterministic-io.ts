import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MiddlewareHost } from '../../../lambdas/adapters/aws/request-accounting.js';
import { InjectedFault } from './dynamodb-faults.js';

/**
 * Where an actor fails: before or after its `request`-th DynamoDB request
 * (0 for the first). `crash` makes every later request of the actor fail
 * too, as a Lambda that timed out; `error` fails that one request only.
 */
export interface ActorFault {
  readonly request: number;
  readonly when: 'before' | 'after';
  readonly mode: 'error' | 'crash';
}

/** One concurrent participant (an ingest or sweep invocation) as the scheduler tracks it. */
export interface Actor {
  readonly name: string;
  readonly fault?: ActorFault | undefined;
  /** DynamoDB requests it made so far. */
  requests: number;
  /** Whether its fault was injected. */
  faulted: boolean;
  /** Labels of the requests it made, for reports. */
  readonly log: string[];
}

interface Waiting {
  readonly actor: Actor | undefined;
  readonly label: string;
  readonly release: () => void;
}

/**
 * Runs concurrent actors against the real DynamoDB Local one request at a
 * time, in an order drawn from a seeded random source, so that a seed
 * reproduces the interleaving as well as the scenario. Every request waits
 * until all actors are blocked on a request (nothing else can still issue
 * one: the rest of their work is synchronous or microtasks), then one
 * waiting request is drawn and sent, and only when its response is back is
 * the next one drawn. Faults are injected at the actor's chosen request.
 */
export class DeterministicIo {
  readonly #random: () => number;
  readonly #actors = new AsyncLocalStorage<Actor>();
  readonly #waiting: Waiting[] = [];
  #busy = false;
  #pumping = false;
  #arrivals = 0;
  /** Requests sent through the scheduler so far. */
  sent = 0;

  readonly #onCommitted: ((operation: string, input: Record<string, unknown>) => void) | undefined;

  /** `onCommitted` sees every request that reached DynamoDB and succeeded there. */
  constructor(
    random: () => number,
    onCommitted?: (operation: string, input: Record<string, unknown>) => void,
  ) {
    this.#random = random;
    this.#onCommitted = onCommitted;
  }

  /** Puts the scheduler in front of a client (the test's own; the middleware stays on it). */
  attach(client: DynamoDBClient): void {
    const stack = (client as unknown as MiddlewareHost).middlewareStack;
    stack.remove(NAME);
    stack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        const actor = this.#actors.getStore();
        await this.#turn(actor, operation);
        try {
          const index = actor ? actor.requests++ : -1;
          actor?.log.push(operation);
          const fault = actor?.fault;
          if (
            actor &&
            fault &&
            (actor.faulted ? fault.mode === 'crash' : index === fault.request)
          ) {
            if (actor.faulted || fault.when === 'before') {
              actor.faulted = true;
              throw new InjectedFault(operation, 'before');
            }
            actor.faulted = true;
            await next(args);
            this.#onCommitted?.(operation, args.input as Record<string, unknown>);
            throw new InjectedFault(operation, 'after');
          }
          const result = await next(args);
          this.#onCommitted?.(operation, args.input as Record<string, unknown>);
          return result;
        } finally {
          this.#busy = false;
          this.#schedulePump();
        }
      },
      { step: 'initialize', name: NAME },
    );
  }

  /** Runs `fn` as `actor`: its requests are scheduled and faulted as the actor's. */
  run<T>(actor: Actor, fn: () => Promise<T>): Promise<T> {
    return this.#actors.run(actor, fn);
  }

  /** The actor whose code is running, if any. */
  current(): Actor | undefined {
    return this.#actors.getStore();
  }

  /** A sleep for stores under the scheduler: it yields, without a timer the scheduler cannot see. */
  readonly sleep = async (_ms: number): Promise<void> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
  };

  #turn(actor: Actor | undefined, label: string): Promise<void> {
    return new Promise((release) => {
      this.#waiting.push({ actor, label, release });
      this.#arrivals++;
      this.#schedulePump();
    });
  }

  #schedulePump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    // Wait until a whole macrotask passes without a new request: every actor is then
    // blocked on one (or done), so the draw below does not depend on timing.
    let seen = -1;
    while (seen !== this.#arrivals) {
      seen = this.#arrivals;
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.#pumping = false;
    if (this.#busy || this.#waiting.length === 0) return;
    const index = Math.floor(this.#random() * this.#waiting.length);
    const [chosen] = this.#waiting.splice(index, 1);
    if (chosen === undefined) return;
    this.#busy = true;
    this.sent++;
    chosen.release();
  }
}

const NAME = 'bucketflowTestDeterministicIo';

/** The benches' seeded PRNG (mulberry32): one generator for every seeded run in the repository. */
export { seeded as seededRandom } from '../../../bench/harness.js';

/** Seeded bytes for batch ids, so that ids (and the shards they fall in) repeat with the seed. */
export function seededBytes(random: () => number): (size: number) => Uint8Array {
  return (size) => Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
}
