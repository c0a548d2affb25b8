import fc from 'fast-check';
import type { ActorFault } from '../support/deterministic-io.js';

/**
 * The random histories of the batch invariants property
 * (batch-invariants.property.test.ts): objects and their SQS deliveries,
 * the invocations that process them with their faults, and the ingest queue
 * as SQS behaves for its consumers.
 */
/** Receives before SQS moves a message to the DLQ (the stack's maxReceiveCount is larger). */
export const MAX_RECEIVES = 4;
/** How long a failed message stays invisible (the ingest queue's visibility timeout is longer). */
export const VISIBILITY_MS = 30_000;

export type MarkerMode = 'none' | 'member' | 'control';

export interface ObjectSpec {
  readonly prefix: number;
  readonly isMarker: boolean;
  readonly offsetS: number;
  /** Extra EventBridge deliveries of the same event, under other message ids. */
  readonly copies: number;
  /** Seconds between the event and the message becoming visible: ingest lag. */
  readonly lagS: number;
}

export interface ActorSpec {
  readonly kind: 'ingest' | 'sweep';
  readonly batchSize: number;
  /** Also receive a message another invocation holds (SQS delivers a message twice). */
  readonly duplicate: boolean;
  readonly fault: ActorFault | undefined;
  readonly publishFault: 'before' | 'after' | undefined;
  /** The invocation finishes but its acknowledgements are lost (a timeout after the work). */
  readonly ackLost: boolean;
}

export interface Scenario {
  readonly count: number;
  readonly quietS: number;
  readonly maxAgeS: number | undefined;
  readonly marker: MarkerMode;
  /** Characters added to every prefix. */
  readonly prefixPad: number;
  readonly objects: readonly ObjectSpec[];
  readonly poison: readonly number[];
  readonly rounds: ReadonlyArray<{
    readonly actors: readonly ActorSpec[];
    readonly advanceS: number;
  }>;
  readonly ioSeed: number;
}

const rare = (oneIn: number) => fc.integer({ min: 1, max: oneIn }).map((n) => n === 1);

const fault: fc.Arbitrary<ActorFault | undefined> = fc.option(
  fc.record({
    request: fc.integer({ min: 0, max: 24 }),
    when: fc.constantFrom('before' as const, 'after' as const),
    mode: fc.constantFrom('error' as const, 'crash' as const),
  }),
  { nil: undefined, freq: 2 },
);

const actor: fc.Arbitrary<ActorSpec> = fc.record({
  kind: fc.constantFrom('ingest' as const, 'ingest' as const, 'sweep' as const),
  batchSize: fc.integer({ min: 1, max: 10 }),
  duplicate: rare(4),
  fault,
  publishFault: fc.option(fc.constantFrom('before' as const, 'after' as const), {
    nil: undefined,
    freq: 6,
  }),
  ackLost: rare(6),
});

export const scenario: fc.Arbitrary<Scenario> = fc.record({
  count: fc.integer({ min: 1, max: 5 }),
  quietS: fc.integer({ min: 30, max: 600 }),
  maxAgeS: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
  marker: fc.constantFrom<MarkerMode>('none', 'member', 'control'),
  prefixPad: fc.constantFrom(0, 560, 640, 700),
  objects: fc.array(
    fc.record({
      prefix: fc.integer({ min: 0, max: 2 }),
      isMarker: rare(5),
      offsetS: fc.integer({ min: 0, max: 900 }),
      copies: fc
        .integer({ min: 0, max: 2 })
        .chain((n) => (n === 2 ? fc.constant(1) : fc.constant(0))),
      lagS: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 600 })),
    }),
    { minLength: 1, maxLength: 10 },
  ),
  poison: fc.array(fc.nat(), { maxLength: 2 }),
  rounds: fc.array(
    fc.record({
      actors: fc.array(actor, { minLength: 1, maxLength: 3 }),
      advanceS: fc.integer({ min: 0, max: 400 }),
    }),
    { minLength: 1, maxLength: 7 },
  ),
  ioSeed: fc.integer(),
});

export interface Message {
  readonly id: string;
  readonly body: string;
  visibleAt: number;
  receives: number;
  holders: number;
  poison: boolean;
  state: 'queued' | 'deleted' | 'dead';
}

/** The ingest queue as SQS behaves for its consumers: visibility, redelivery, duplicates, DLQ. */
export class IngestQueue {
  readonly messages: Message[] = [];

  constructor(private readonly now: () => number) {}

  receive(size: number, duplicate: boolean): Message[] {
    const visible = this.messages.filter(
      (m) => m.state === 'queued' && m.holders === 0 && m.visibleAt <= this.now(),
    );
    const batch = visible.slice(0, size);
    const held = this.messages.find((m) => m.state === 'queued' && m.holders > 0);
    if (duplicate && held !== undefined && batch.length < size) batch.push(held);
    for (const message of batch) {
      message.holders++;
      message.receives++;
    }
    return batch;
  }

  settle(message: Message, ok: boolean): void {
    message.holders--;
    if (message.state !== 'queued') return;
    if (ok) {
      message.state = 'deleted';
      return;
    }
    if (message.receives >= MAX_RECEIVES) message.state = 'dead';
    else message.visibleAt = this.now() + VISIBILITY_MS;
  }

  /** An operator's redrive of the DLQ after fixing the cause. */
  redrive(): void {
    for (const message of this.messages) {
      if (message.state !== 'dead') continue;
      message.state = 'queued';
      message.receives = 0;
      message.poison = false;
      message.visibleAt = this.now();
    }
  }

  /** When the next queued message becomes visible. */
  nextVisibleAt(): number {
    const queued = this.messages.filter((m) => m.state === 'queued').map((m) => m.visibleAt);
    return Math.min(...queued);
  }

  get pending(): number {
    return this.messages.filter((m) => m.state === 'queued').length;
  }
}
