import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { matchesPattern } from './event-pattern.js';
import type { LocalFunction } from './local-functions.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalResources } from './local-resources.js';
import { type IntrinsicResolver, resourcesOfType, type SynthesizedStack } from './template.js';

interface RuleTarget {
  readonly Arn: string;
  readonly Input?: unknown;
  readonly InputPath?: unknown;
  readonly InputTransformer?: unknown;
}

interface LocalRule {
  readonly id: string;
  readonly pattern?: unknown;
  readonly schedule?: string;
  readonly targets: readonly RuleTarget[];
}

/**
 * The default event bus and the schedules of a stack: `publish` matches an
 * event against every rule's event pattern and delivers it to the rule's
 * queue targets; `startSchedules` runs each scheduled rule's function target
 * on a timer, one template minute lasting `msPerMinute`.
 */
export class LocalEventRules {
  readonly #rules: LocalRule[];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Set<Promise<unknown>>();
  /** Deliveries to queues, by rule id. */
  readonly deliveries = new Map<string, number>();

  constructor(
    stack: SynthesizedStack,
    resolver: IntrinsicResolver,
    private readonly resources: LocalResources,
    private readonly functions: ReadonlyMap<string, LocalFunction>,
    private readonly sqs: SQSClient,
  ) {
    this.#rules = resourcesOfType(stack, 'AWS::Events::Rule').flatMap(([id, rule]) => {
      const properties = resolver.resolve(rule.Properties ?? {}) as Record<string, unknown>;
      if (properties.State === 'DISABLED') return [];
      const bus = properties.EventBusName;
      if (bus !== undefined && bus !== 'default') return [];
      const targets = (properties.Targets as RuleTarget[] | undefined) ?? [];
      for (const target of targets) {
        if (target.Input ?? target.InputPath ?? target.InputTransformer) {
          throw new Error(`rule ${id}: target input transformations are not run locally`);
        }
      }
      return [
        {
          id,
          pattern: properties.EventPattern,
          ...(properties.ScheduleExpression
            ? { schedule: String(properties.ScheduleExpression) }
            : {}),
          targets,
        },
      ];
    });
  }

  /** Puts an event on the default bus; resolves once every matched target has it. */
  async publish(event: Record<string, unknown>): Promise<number> {
    let matched = 0;
    for (const rule of this.#rules) {
      if (rule.pattern === undefined || !matchesPattern(rule.pattern, event)) continue;
      matched += 1;
      for (const target of rule.targets) {
        const queue = this.resources.queuesByArn.get(target.Arn);
        if (!queue) throw new Error(`rule ${rule.id}: target ${target.Arn} is not a local queue`);
        await this.sqs.send(
          new SendMessageCommand({
            QueueUrl: this.resources.queueUrls.get(queue),
            MessageBody: JSON.stringify(event),
          }),
        );
        this.deliveries.set(rule.id, (this.deliveries.get(rule.id) ?? 0) + 1);
      }
    }
    return matched;
  }

  startSchedules(msPerMinute: number, onError: (error: unknown) => void): void {
    for (const rule of this.#rules) {
      if (!rule.schedule) continue;
      const periodMs = rateMinutes(rule.schedule) * msPerMinute;
      const targets = rule.targets.map((target) => {
        const fn = [...this.functions.values()].find((candidate) =>
          target.Arn.endsWith(`:function:${candidate.definition.logicalId}`),
        );
        if (!fn) throw new Error(`rule ${rule.id}: target ${target.Arn} is not a local function`);
        return fn;
      });
      let busy = false;
      const tick = () => {
        if (busy) return;
        busy = true;
        const run = Promise.all(targets.map((fn) => fn.invoke(scheduledEvent(rule.id))))
          .catch(onError)
          .finally(() => {
            busy = false;
            this.#running.delete(run);
          });
        this.#running.add(run);
      };
      this.#timers.push(setInterval(tick, periodMs));
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.all(this.#running);
  }
}

function rateMinutes(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(expression);
  if (!match) throw new Error(`schedule ${expression} is not run locally`);
  return Number(match[1]) * (match[2]?.startsWith('hour') ? 60 : 1);
}

function scheduledEvent(ruleId: string): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${ruleId}`],
    detail: {},
  };
}
