import { InvalidTaskInputError } from './errors.js';

/** Plain JSON data. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * Largest task input, in bytes of UTF-8 JSON. A task record is one DynamoDB
 * item (at most 400 KB); 256 KiB leaves room for the identifier, display,
 * dependency ids, counters and timestamps. Larger data belongs in the bucket,
 * with its key in the input.
 */
export const MAX_TASK_INPUT_BYTES = 256 * 1024;
/** Deepest nesting of arrays and objects in a task input; deeper data is flattened by the caller. */
export const MAX_TASK_INPUT_DEPTH = 64;

/** A validated task input, serialized. */
export interface SerializedTaskInput {
  /** `JSON.stringify(input)`: no whitespace, object properties that are undefined left out. */
  readonly json: string;
  /** UTF-8 length of {@link json}. */
  readonly bytes: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Checks that `input` is plain JSON data and serializes it. Accepted: plain
 * objects (or null-prototype ones), arrays, strings, finite numbers, booleans
 * and null; object properties whose value is undefined are left out, as
 * `JSON.stringify` does. Rejected, with the path of the value and a fix:
 * undefined elsewhere, array holes, NaN and Infinity, bigint, functions,
 * symbols, Dates (convert with toISOString()), Maps, Sets, binary buffers,
 * other class instances, cycles, nesting deeper than 64 and more than 256 KiB
 * of JSON. Shared references are fine; each occurrence counts toward the size,
 * as it does in the JSON text.
 *
 * @example
 * ```ts
 * serializeTaskInput({ key: 'a/b.tif', sizes: [256, 512] }).json; // '{"key":"a/b.tif","sizes":[256,512]}'
 * serializeTaskInput({ when: new Date() }); // throws: input.when: a Date is not JSON data (convert it with toISOString())
 * ```
 */
export function serializeTaskInput(input: unknown, field = 'input'): SerializedTaskInput {
  const walker = new InputWalker(field);
  walker.measure(input, field, 0);
  const json = JSON.stringify(input);
  return { json, bytes: utf8Length(json) };
}

class InputWalker {
  private readonly ancestors = new Set<object>();
  // Sizes of containers already measured, so shared references are not walked twice.
  private readonly sizes = new Map<object, number>();
  private total = 0;

  constructor(private readonly root: string) {}

  /** Bytes `value` takes in the JSON text; throws for anything that is not JSON data. */
  measure(value: unknown, path: string, depth: number): number {
    switch (typeof value) {
      case 'string':
        return this.count(utf8Length(JSON.stringify(value)));
      case 'boolean':
        return this.count(value ? 4 : 5);
      case 'number':
        if (!Number.isFinite(value)) {
          fail(
            path,
            `${value} is not JSON data`,
            'JSON has no NaN or Infinity; use null or a string',
          );
        }
        return this.count(String(value).length);
      case 'bigint':
        return fail(
          path,
          'a bigint is not JSON data',
          'convert it with String(value) or Number(value)',
        );
      case 'function':
        return fail(path, 'a function is not JSON data', 'pass data, not code');
      case 'symbol':
        return fail(path, 'a symbol is not JSON data', 'use a string');
      case 'undefined':
        return fail(path, 'undefined is not JSON data', 'use null, or leave the property out');
    }
    if (value === null) return this.count(4);
    const object = value as object;
    if (this.ancestors.has(object)) {
      fail(
        path,
        'refers back to a value that contains it (a cycle)',
        'JSON is a tree: remove the back reference',
      );
    }
    const known = this.sizes.get(object);
    if (known !== undefined) return this.count(known);
    if (depth >= MAX_TASK_INPUT_DEPTH) {
      fail(path, `nests deeper than ${MAX_TASK_INPUT_DEPTH} levels`, 'flatten the data');
    }
    this.ancestors.add(object);
    const size = Array.isArray(object)
      ? this.measureArray(object, path, depth)
      : this.measureObject(object, path, depth);
    this.ancestors.delete(object);
    this.sizes.set(object, size);
    return size;
  }

  private measureArray(array: readonly unknown[], path: string, depth: number): number {
    let size = this.count(2 + Math.max(array.length - 1, 0));
    for (let index = 0; index < array.length; index++) {
      const itemPath = `${path}[${index}]`;
      if (!(index in array))
        fail(itemPath, 'an empty array slot is not JSON data', 'fill it with null');
      size += this.measure(array[index], itemPath, depth + 1);
    }
    return size;
  }

  private measureObject(object: object, path: string, depth: number): number {
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) notPlain(object, path);
    const record = object as Record<string, unknown>;
    let size = this.count(2);
    let written = 0;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (item === undefined) continue;
      const itemPath = IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      size += this.count(utf8Length(JSON.stringify(key)) + 1 + (written > 0 ? 1 : 0));
      size += this.measure(item, itemPath, depth + 1);
      written++;
    }
    return size;
  }

  // Every byte is also added to a running total so that inputs far over the limit
  // (or a small graph of shared references that expands hugely) stop the walk early.
  private count(bytes: number): number {
    this.total += bytes;
    if (this.total > MAX_TASK_INPUT_BYTES) this.tooLarge();
    return bytes;
  }

  private tooLarge(): never {
    throw new InvalidTaskInputError(
      this.root,
      `is more than ${MAX_TASK_INPUT_BYTES} bytes (256 KiB) of JSON`,
      'put large data in the bucket and pass its key in the input',
    );
  }
}

function notPlain(object: object, path: string): never {
  if (object instanceof Date) {
    fail(path, 'a Date is not JSON data', 'convert it with toISOString()');
  }
  if (object instanceof Map) {
    fail(path, 'a Map is not JSON data', 'convert it with Object.fromEntries(map)');
  }
  if (object instanceof Set)
    fail(path, 'a Set is not JSON data', 'convert it with Array.from(set)');
  const name = (object.constructor as { name?: unknown } | undefined)?.name;
  const label = typeof name === 'string' && name !== '' ? name : 'a class';
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
    fail(path, `a ${label} is not JSON data`, 'encode the bytes as a base64 string');
  }
  return fail(
    path,
    `an instance of ${label} is not JSON data`,
    'copy the fields you need into a plain object',
  );
}

function fail(path: string, problem: string, fix: string): never {
  throw new InvalidTaskInputError(path, problem, fix);
}

/** UTF-8 length of a string; lone surrogates count as the 3 bytes of U+FFFD. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
