import { utf8Length } from '../jobs/task-input.js';

/**
 * Where the member keys of a closed batch are, as its `objects-batch-ready`
 * event and its BatchTask trigger say: with them (`inline`, in `keys`), or,
 * when they do not fit an event or a task input, in the batches table under
 * the batch id (`dynamodb`), read page by page (`BatchStore.memberPages`,
 * or `trigger.members()` in a BatchTask).
 */
export type BatchMembers =
  | { readonly location: 'inline' }
  | { readonly location: 'dynamodb'; readonly batchId: string; readonly table?: string };

/**
 * The reference to a batch's members in the batches table, naming the
 * table when the caller knows it.
 *
 * @example
 * ```ts
 * membersReference('01JNB7Q4W8ZK3M5T2V9XG6H1CD', 'bucketflow-batches');
 * // { location: 'dynamodb', batchId: '01JNB7Q4W8ZK3M5T2V9XG6H1CD', table: 'bucketflow-batches' }
 * ```
 */
export function membersReference(batchId: string, table?: string): BatchMembers {
  return { location: 'dynamodb', batchId, ...(table ? { table } : {}) };
}

/**
 * An upper bound of the bytes `keys` take as a JSON array, from their
 * UTF-8 bytes and count alone (every key may need its quotes, a comma and
 * some escapes), so a caller can tell without reading them whether they
 * could fit inline.
 *
 * @example
 * ```ts
 * if (mayFitInline(batch.keyBytes, batch.count, INLINE_KEYS_MAX_BYTES)) keys = await store.readMembers(id);
 * ```
 */
export function mayFitInline(keyBytes: number, count: number, maxBytes: number): boolean {
  // At least two quotes and a comma per key; escapes are rare, and checked on the real JSON.
  return keyBytes + 3 * count + 2 <= maxBytes;
}

/**
 * Whether `keys` as a JSON array take at most `maxBytes`.
 *
 * @example
 * ```ts
 * fitsInline(['a/1', 'a/2'], 200 * 1024); // true
 * ```
 */
export function fitsInline(keys: readonly string[], maxBytes: number): boolean {
  return utf8Length(JSON.stringify(keys)) <= maxBytes;
}
