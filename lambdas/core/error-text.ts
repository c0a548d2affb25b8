/** Most UTF-8 bytes of an error message or stack kept on a stored record (a task, a batch). */
export const MAX_STORED_ERROR_BYTES = 8 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * An error's text cut to at most `maxBytes` UTF-8 bytes, with a marker that
 * says how much was cut, so that a record holding it always fits its item
 * (a 500 KB message would make the write fail and lose the error). Cuts
 * fall on character boundaries; text within the bound is returned as is.
 *
 * @example
 * ```ts
 * boundErrorText('x'.repeat(100_000)).endsWith('[cut: 91,870 of 100,000 bytes]'); // true
 * ```
 */
export function boundErrorText(text: string, maxBytes = MAX_STORED_ERROR_BYTES): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  const marker = (kept: number) =>
    `\n… [cut: ${(bytes.length - kept).toLocaleString('en-US')} of ${bytes.length.toLocaleString('en-US')} bytes]`;
  // The marker's own length depends on the numbers; reserve room for their widest form.
  let keep = Math.max(0, maxBytes - encoder.encode(marker(0)).length);
  // Step back to a character boundary (not inside a multi-byte UTF-8 sequence).
  while (keep > 0 && ((bytes[keep] ?? 0) & 0xc0) === 0x80) keep--;
  return `${decoder.decode(bytes.subarray(0, keep))}${marker(keep)}`;
}

/**
 * The text stored for an error: `Name: message` followed by its stack
 * frames when it has any, bounded by {@link boundErrorText}; the message
 * alone takes at most three quarters, so a huge message still leaves the
 * frames that say where it came from.
 *
 * @example
 * ```ts
 * storedErrorText(new RangeError('too far')); // 'RangeError: too far\n    at …'
 * ```
 */
export function storedErrorText(error: unknown, maxBytes = MAX_STORED_ERROR_BYTES): string {
  if (!(error instanceof Error)) return boundErrorText(String(error), maxBytes);
  const head = boundErrorText(`${error.name}: ${error.message}`, Math.floor((maxBytes * 3) / 4));
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const framesAt = stack.indexOf('\n    at ');
  const frames = framesAt < 0 ? '' : stack.slice(framesAt);
  return boundErrorText(`${head}${frames}`, maxBytes);
}
