import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** A marshalled DynamoDB item. */
export type Item = Record<string, AttributeValue>;

const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text).length;

/**
 * The size DynamoDB bills an item at, by its documented rules: each
 * attribute's UTF-8 name plus its value; strings by UTF-8 length, numbers 1
 * byte per two significant digits plus 1, binaries by length, booleans and
 * nulls 1 byte, lists and maps 3 bytes plus 1 per element plus their contents.
 * The batch store sizes its records with it; the bench's cost model bills by it.
 *
 * @example
 * ```ts
 * itemSize({ pk: { S: 'G#abc' }, n: { N: '42' } }); // 2 + 5 + 1 + 2
 * ```
 */
export function itemSize(item: Item | undefined): number {
  if (item === undefined) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberSize(text), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, bytes) => sum + bytes.length, 0);
  if (value.L !== undefined)
    return 3 + value.L.reduce((sum, entry) => sum + 1 + valueSize(entry), 0);
  if (value.M !== undefined) {
    let size = 3;
    for (const [name, entry] of Object.entries(value.M)) size += 1 + utf8(name) + valueSize(entry);
    return size;
  }
  return 0;
}

function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '');
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(significant.length, 1) / 2) + 1;
}
