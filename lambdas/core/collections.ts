/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order.
 *
 * @example
 * ```ts
 * const sizes = await mapConcurrent(keys, 4, (key) => storage.head(key).then((info) => info.size));
 * ```
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Items grouped by a key, groups in order of first appearance (Map.groupBy needs Node 21).
 *
 * @example
 * ```ts
 * groupBy(['a/1', 'b/1', 'a/2'], (key) => key[0]); // Map { 'a' => ['a/1', 'a/2'], 'b' => ['b/1'] }
 * ```
 */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
