import { InvalidObjectKeyError } from '../ports/object-storage.js';

/** S3 limits keys to 1024 bytes of UTF-8. */
export const MAX_OBJECT_KEY_BYTES = 1024;

const DRIVE_LETTER = /^[A-Za-z]:/;
const encoder = new TextEncoder();

/**
 * Checks a key any location accepts: a non-empty string of at most 1024
 * UTF-8 bytes. S3 allows every other character, so nothing else is refused.
 *
 * @throws InvalidObjectKeyError
 * @example
 * ```ts
 * validateObjectKey('scenes/a.tif'); // 'scenes/a.tif'
 * ```
 */
export function validateObjectKey(key: unknown, field = 'key'): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidObjectKeyError(
      field,
      `must be a non-empty string, got ${JSON.stringify(key)}`,
      "e.g. 'scenes/a.tif'",
    );
  }
  const bytes = encoder.encode(key).length;
  if (bytes > MAX_OBJECT_KEY_BYTES) {
    throw new InvalidObjectKeyError(
      field,
      `is ${bytes} bytes of UTF-8; object keys are limited to ${MAX_OBJECT_KEY_BYTES}`,
      'shorten the key',
    );
  }
  return key;
}

/**
 * Why a key cannot name a file inside a local folder, or undefined when it
 * can. Keys are `/`-separated relative paths: no leading `/`, drive letter,
 * backslash or NUL, and no empty, `.` or `..` segment, so that no key can
 * reach outside the folder or name the folder itself.
 *
 * @example
 * ```ts
 * localKeyProblem('a/../../etc/passwd'); // 'has a ".." segment'
 * ```
 */
export function localKeyProblem(key: string): string | undefined {
  if (key.includes('\0')) return 'contains a NUL character';
  if (key.includes('\\')) return "contains '\\' (keys separate folders with '/')";
  if (key.startsWith('/')) return "is absolute (starts with '/')";
  if (DRIVE_LETTER.test(key)) return 'starts with a drive letter';
  for (const segment of key.split('/')) {
    if (segment === '') return "has an empty segment (a leading, trailing or doubled '/')";
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
  }
  return undefined;
}

/**
 * Checks {@link validateObjectKey} and {@link localKeyProblem}.
 *
 * @throws InvalidObjectKeyError
 * @example
 * ```ts
 * validateLocalObjectKey('../secret'); // throws: key: "../secret" has a ".." segment
 * ```
 */
export function validateLocalObjectKey(key: unknown, field = 'key'): string {
  const valid = validateObjectKey(key, field);
  const problem = localKeyProblem(valid);
  if (problem) {
    throw new InvalidObjectKeyError(
      field,
      `${JSON.stringify(valid)} ${problem}`,
      "use a relative '/'-separated path inside the folder",
    );
  }
  return valid;
}

/**
 * The folder entry a key contributes to a non-recursive listing of
 * `prefix`: the prefix plus the rest up to and including the next `/`, or
 * undefined when the key is directly below the prefix.
 *
 * @example
 * ```ts
 * folderBelow('scenes/2025/a.tif', 'scenes/'); // 'scenes/2025/'
 * folderBelow('scenes/a.tif', 'scenes/'); // undefined
 * ```
 */
export function folderBelow(key: string, prefix: string): string | undefined {
  const slash = key.indexOf('/', prefix.length);
  return slash === -1 ? undefined : key.slice(0, slash + 1);
}

/**
 * Orders keys as S3 lists them: by UTF-8 bytes, which is code point order
 * (JavaScript's `<` compares UTF-16 units and differs above U+FFFF).
 *
 * @example
 * ```ts
 * ['b', 'a/', 'a'].sort(compareKeys); // ['a', 'a/', 'b']
 * ```
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.codePointAt(index) ?? 0;
    const right = b.codePointAt(index) ?? 0;
    if (left !== right) return left - right;
    if (left > 0xffff) index++;
  }
  return a.length - b.length;
}
