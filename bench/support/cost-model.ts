import type { RequestAccounting } from '../../lambdas/adapters/aws/request-accounting.js';
import type { DynamoDbItemLedger } from '../dynamodb-item-ledger.js';

/**
 * AWS list prices (us-east-1, USD) the cost figures use, as published on the
 * AWS pricing pages in January 2025 (no internet access here to re-check;
 * update `date` with the figures). DynamoDB on-demand after the November 2024
 * price cut, Standard table class; Lambda on arm64; SQS standard queues
 * beyond the free tier; EventBridge custom events (AWS service events such
 * as S3's on the default bus are free).
 */
export const LIST_PRICES = {
  date: '2025-01',
  region: 'us-east-1',
  dynamodbWriteUnit: 0.625 / 1e6,
  dynamodbReadUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  eventBridgeCustomEvent: 1 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
} as const;

/** What one unit of a scenario (an object, an event, a job, a task) costs on AWS. */
export interface ScenarioCost {
  /** DynamoDB write units as AWS bills them (from item sizes), not DynamoDB Local's report. */
  readonly awsWriteUnits: number;
  readonly awsReadUnits: number;
  /** What DynamoDB Local reported, for comparison only. */
  readonly localWriteUnits: number;
  readonly dynamodbRequests: number;
  readonly sqsRequests: number;
  /** Billed EventBridge events (custom bus puts); S3's events on the default bus are free. */
  readonly eventBridgeEvents: number;
  readonly lambdaGbSeconds: number;
  readonly lambdaRequests: number;
  readonly usdPerMillion: number;
}

/** Usage a scenario adds on top of what the clients' requests show (modelled AWS services). */
export interface ModelledUsage {
  /** SQS requests no client of the bench makes: EventBridge's sends, Lambda's polls and deletes. */
  readonly sqsRequests?: number;
  readonly eventBridgeEvents?: number;
  readonly lambdaGbSeconds?: number;
  readonly lambdaRequests?: number;
}

/** The price of `units` of a scenario per million. */
export function usdPerMillion(
  cost: Omit<ScenarioCost, 'usdPerMillion' | 'localWriteUnits' | 'dynamodbRequests'>,
): number {
  const p = LIST_PRICES;
  const usd =
    cost.awsWriteUnits * p.dynamodbWriteUnit +
    cost.awsReadUnits * p.dynamodbReadUnit +
    cost.sqsRequests * p.sqsRequest +
    cost.eventBridgeEvents * p.eventBridgeCustomEvent +
    cost.lambdaGbSeconds * p.lambdaArmGbSecond +
    cost.lambdaRequests * p.lambdaRequest;
  return usd * 1e6;
}

/**
 * Measures scenarios: DynamoDB from the billing ledger, SQS requests the
 * clients made from the request accounting, plus what AWS services do on
 * their own (modelled, stated per scenario), divided by the scenario's units.
 */
export class CostMeter {
  readonly #ledger: DynamoDbItemLedger;
  readonly #accounting: RequestAccounting;

  constructor(ledger: DynamoDbItemLedger, accounting: RequestAccounting) {
    this.#ledger = ledger;
    this.#accounting = accounting;
  }

  reset(): void {
    this.#ledger.reset();
    this.#accounting.reset();
  }

  /** The cost per unit of what ran since the last reset. */
  perUnit(units: number, modelled: ModelledUsage = {}): ScenarioCost {
    const billed = this.#ledger.billedUnits();
    const per = (value: number) => value / units;
    const cost = {
      awsWriteUnits: per(billed.awsWriteUnits),
      awsReadUnits: per(billed.awsReadUnits),
      localWriteUnits: per(billed.localWriteUnits),
      dynamodbRequests: per(billed.requests),
      sqsRequests: per(this.#accounting.total('sqs').requests + (modelled.sqsRequests ?? 0)),
      eventBridgeEvents: per(
        this.#accounting.total('eventbridge').requests + (modelled.eventBridgeEvents ?? 0),
      ),
      lambdaGbSeconds: per(modelled.lambdaGbSeconds ?? 0),
      lambdaRequests: per(modelled.lambdaRequests ?? 0),
    };
    return { ...cost, usdPerMillion: usdPerMillion(cost) };
  }
}

/** Lambda's billed GB-seconds for invocations that took `ms` in all (1 ms granularity). */
export function gbSeconds(ms: number, memoryMb: number): number {
  return (Math.ceil(ms) / 1000) * (memoryMb / 1024);
}
