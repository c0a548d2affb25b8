import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StorageLocation } from '../../../core/automations/storage-location.js';
import type { Automation, Cluster } from '../../../core/ports/automation-store.js';

export type Item = Record<string, AttributeValue>;

export const AUTOMATIONS = 'AUTOMATIONS';
export const CLUSTERS = 'CLUSTERS';
export const LOCATIONS = 'LOCATIONS';

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });

export const automationKey = (id: string): Item => ({ pk: s(AUTOMATIONS), sk: s(`A#${id}`) });
export const cursorKey = (id: string): Item => ({ pk: s(AUTOMATIONS), sk: s(`C#${id}`) });
export const clusterKey = (slug: string): Item => ({ pk: s(CLUSTERS), sk: s(slug) });
export const locationKey = (name: string): Item => ({ pk: s(LOCATIONS), sk: s(name) });

/**
 * An automation item: the definition as one JSON attribute (read whole,
 * never queried into), `enabled` and `enabledAt` (when it was created or
 * last enabled) on their own so they can be filtered and flipped without
 * rewriting the definition.
 */
export function encodeAutomation(automation: Automation): Item {
  const { id, enabled, enabledAt, ...definition } = automation;
  return {
    ...automationKey(id),
    definition: s(JSON.stringify(definition)),
    enabled: { BOOL: enabled },
    enabledAt: n(enabledAt ?? automation.createdAt),
  };
}

export function decodeAutomation(item: Item): Automation {
  const id = (item.sk?.S ?? '').slice(2);
  const definition = JSON.parse(item.definition?.S ?? '{}') as Omit<
    Automation,
    'id' | 'enabled' | 'enabledAt'
  >;
  const enabledAt =
    item.enabledAt?.N === undefined ? definition.createdAt : Number(item.enabledAt.N);
  return { id, ...definition, enabled: item.enabled?.BOOL ?? false, enabledAt };
}

export function encodeCluster(cluster: Cluster): Item {
  return {
    ...clusterKey(cluster.slug),
    name: s(cluster.name),
    createdAt: n(cluster.createdAt),
  };
}

export function decodeCluster(item: Item): Cluster {
  return {
    slug: item.sk?.S ?? '',
    name: item.name?.S ?? '',
    createdAt: Number(item.createdAt?.N ?? 0),
  };
}

export function encodeLocation(location: StorageLocation, createdAt: number): Item {
  return {
    ...locationKey(location.name),
    kind: s(location.kind),
    ...(location.kind === 's3' ? { bucket: s(location.bucket) } : { path: s(location.path) }),
    createdAt: n(createdAt),
  };
}

export function decodeLocation(item: Item): StorageLocation {
  const name = item.sk?.S ?? '';
  if (item.kind?.S === 'local-folder')
    return { name, kind: 'local-folder', path: item.path?.S ?? '' };
  return { name, kind: 's3', bucket: item.bucket?.S ?? '' };
}

/** The locations an automation's triggers name, each once. */
export function locationsOf(automation: Pick<Automation, 'triggers'>): string[] {
  const names = new Set(automation.triggers.storage.map((trigger) => trigger.location));
  if (automation.triggers.batch) names.add(automation.triggers.batch.location);
  return [...names];
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Per-item reasons of a cancelled transaction, or undefined for any other error. */
export function cancellationCodes(error: unknown): readonly (string | undefined)[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((reason) => reason.Code);
}
