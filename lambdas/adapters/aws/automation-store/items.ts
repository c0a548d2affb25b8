import type { StorageLocation } from '../../../core/automations/storage-location.js';
import type { Automation, Cluster } from '../../../core/ports/automation-store.js';

/** An automations-table item as the DocumentClient reads and writes it. */
export type Item = Record<string, unknown>;

export const AUTOMATIONS = 'AUTOMATIONS';
export const CLUSTERS = 'CLUSTERS';
export const LOCATIONS = 'LOCATIONS';

export const automationKey = (id: string): Item => ({ pk: AUTOMATIONS, sk: `A#${id}` });
export const cursorKey = (id: string): Item => ({ pk: AUTOMATIONS, sk: `C#${id}` });
export const clusterKey = (slug: string): Item => ({ pk: CLUSTERS, sk: slug });
export const locationKey = (name: string): Item => ({ pk: LOCATIONS, sk: name });

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

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
    definition: JSON.stringify(definition),
    enabled,
    enabledAt: enabledAt ?? automation.createdAt,
  };
}

export function decodeAutomation(item: Item): Automation {
  const id = text(item.sk).slice(2);
  const definition = JSON.parse(
    typeof item.definition === 'string' ? item.definition : '{}',
  ) as Omit<Automation, 'id' | 'enabled' | 'enabledAt'>;
  const enabledAt = typeof item.enabledAt === 'number' ? item.enabledAt : definition.createdAt;
  return { id, ...definition, enabled: item.enabled === true, enabledAt };
}

export function encodeCluster(cluster: Cluster): Item {
  return { ...clusterKey(cluster.slug), name: cluster.name, createdAt: cluster.createdAt };
}

export function decodeCluster(item: Item): Cluster {
  return {
    slug: text(item.sk),
    name: text(item.name),
    createdAt: typeof item.createdAt === 'number' ? item.createdAt : 0,
  };
}

export function encodeLocation(location: StorageLocation, createdAt: number): Item {
  return {
    ...locationKey(location.name),
    kind: location.kind,
    ...(location.kind === 's3' ? { bucket: location.bucket } : { path: location.path }),
    createdAt,
  };
}

export function decodeLocation(item: Item): StorageLocation {
  const name = text(item.sk);
  if (item.kind === 'local-folder') return { name, kind: 'local-folder', path: text(item.path) };
  return { name, kind: 's3', bucket: text(item.bucket) };
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
