/**
 * The batch prefix of an object key: its folder path cut to `depth` folders,
 * with a trailing `/`. A key with fewer folders keeps all of them; a key at
 * the bucket root, or any key at depth 0, has the empty prefix `''`.
 * Empty segments count as folders (`a//b.txt` at depth 2 is `a//`), because
 * S3 keys are strings, not paths.
 *
 * @example
 * ```ts
 * batchPrefix('a/b/c/d.txt', 2); // 'a/b/'
 * batchPrefix('a/b.txt', 3); // 'a/'
 * batchPrefix('b.txt', 2); // ''
 * ```
 */
export function batchPrefix(key: string, depth: number): string {
  // indexOf instead of split: the ingest path computes this for every event.
  let end = 0;
  for (let folder = 0; folder < depth; folder++) {
    const slash = key.indexOf('/', end);
    if (slash < 0) break;
    end = slash + 1;
  }
  return key.slice(0, end);
}
