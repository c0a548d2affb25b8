import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Item, itemSize } from '../../lambdas/adapters/aws/dynamodb/item-size.js';
import type {
  GlobalIndexDefinition,
  TableDefinition,
} from '../../lambdas/adapters/aws/dynamodb/table-definition.js';

export { type Item, itemSize };

/** Write units of one write of an item of `bytes`: 1 per KB, at least 1. */
export function writeUnitsFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/** Read units of a strongly consistent read of `bytes`: 1 per 4 KB, at least 1. */
export function readUnitsFor(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

/** The entry an index holds for an item, or undefined when the item is not in the index. */
export function indexEntry(
  table: TableDefinition,
  index: GlobalIndexDefinition,
  item: Item | undefined,
): Item | undefined {
  if (item === undefined) return undefined;
  const keys = [index.partitionKey.name, index.sortKey?.name].filter(
    (name): name is string => name !== undefined,
  );
  if (keys.some((name) => item[name] === undefined)) return undefined;
  const base = [table.partitionKey.name, table.sortKey?.name].filter(
    (name): name is string => name !== undefined,
  );
  const projection = index.projection ?? 'ALL';
  if (projection === 'ALL') return item;
  const names = new Set([
    ...keys,
    ...base,
    ...(projection === 'KEYS_ONLY' ? [] : projection.include),
  ]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
}

/**
 * Write units the indexes of a table bill for one item changing from
 * `before` to `after`: an entry added or removed is one write of its size,
 * an entry whose index key changed is a delete and a put, and an entry
 * whose projected attributes changed is one write; an unchanged entry is free.
 */
export function indexWriteUnits(
  table: TableDefinition,
  before: Item | undefined,
  after: Item | undefined,
): number {
  let units = 0;
  for (const index of table.globalIndexes ?? []) {
    const old = indexEntry(table, index, before);
    const next = indexEntry(table, index, after);
    if (old === undefined && next === undefined) continue;
    if (old === undefined || next === undefined) {
      units += writeUnitsFor(itemSize(old ?? next));
      continue;
    }
    const keys = [index.partitionKey.name, index.sortKey?.name].filter(
      (name): name is string => name !== undefined,
    );
    const keyChanged = keys.some((name) => !sameValue(old[name], next[name]));
    if (keyChanged) units += writeUnitsFor(itemSize(old)) + writeUnitsFor(itemSize(next));
    else if (!sameItem(old, next)) units += writeUnitsFor(itemSize(next));
  }
  return units;
}

function sameItem(a: Item, b: Item): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if (!sameValue(a[name], b[name])) return false;
  return true;
}

function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  return JSON.stringify(a, binaryAsArray) === JSON.stringify(b, binaryAsArray);
}

function binaryAsArray(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? [...value] : value;
}
