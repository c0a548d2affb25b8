import { InvalidIdError } from './errors.js';

/** Crockford's base32: no I, L, O, U, so ids read back unambiguously. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Bytes of randomness a ULID carries (80 bits). */
export const ULID_RANDOM_BYTES = 10;
/** Latest time a ULID can hold: 2^48 − 1 ms, in the year 10889. */
export const MAX_ULID_TIME = 2 ** 48 - 1;

/**
 * Encodes a ULID: 48 bits of milliseconds since the epoch, then 80 bits of
 * randomness, in 26 characters of Crockford base32. Ids sort as strings in
 * time order (to the millisecond; within one millisecond the order is random).
 * The caller supplies the time and the random bytes, so the core stays pure:
 * `encodeUlid(Date.now(), crypto.getRandomValues(new Uint8Array(10)))`.
 *
 * @example
 * ```ts
 * encodeUlid(1_700_000_000_000, new Uint8Array(10)); // '01HF7YAT000000000000000000'
 * ```
 */
export function encodeUlid(nowMs: number, randomBytes: Uint8Array): string {
  if (!Number.isInteger(nowMs) || nowMs < 0 || nowMs > MAX_ULID_TIME) {
    throw new InvalidIdError('nowMs', `must be an integer from 0 to 2^48 - 1, got ${nowMs}`);
  }
  if (!(randomBytes instanceof Uint8Array) || randomBytes.length !== ULID_RANDOM_BYTES) {
    throw new InvalidIdError(
      'randomBytes',
      `must be a Uint8Array of ${ULID_RANDOM_BYTES} bytes, got ${randomBytes?.length ?? 'none'}`,
      'pass crypto.getRandomValues(new Uint8Array(10))',
    );
  }
  let time = '';
  let rest = nowMs;
  for (let index = 0; index < 10; index++) {
    time = ALPHABET.charAt(rest % 32) + time;
    rest = Math.floor(rest / 32);
  }
  let random = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of randomBytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      random += ALPHABET.charAt((buffer >> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  return time + random;
}

/**
 * Whether `text` is a ULID in canonical form (upper case, 26 characters).
 *
 * @example
 * ```ts
 * isUlid('01HF7YAT000000000000000000'); // true
 * ```
 */
export function isUlid(text: string): boolean {
  return typeof text === 'string' && ULID_PATTERN.test(text);
}

/**
 * The milliseconds since the epoch encoded in a ULID.
 *
 * @example
 * ```ts
 * decodeUlidTime(encodeUlid(1_700_000_000_000, new Uint8Array(10))); // 1700000000000
 * ```
 */
export function decodeUlidTime(id: string): number {
  if (!isUlid(id)) {
    throw new InvalidIdError(
      'id',
      `${JSON.stringify(id)} is not a ULID (26 characters of Crockford base32)`,
    );
  }
  let time = 0;
  for (const char of id.slice(0, 10)) time = time * 32 + ALPHABET.indexOf(char);
  return time;
}
