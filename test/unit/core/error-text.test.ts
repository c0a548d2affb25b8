import { describe, expect, it } from 'vitest';
import {
  boundErrorText,
  MAX_STORED_ERROR_BYTES,
  storedErrorText,
} from '../../../lambdas/core/error-text.js';

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe('boundErrorText', () => {
  it('returns text within the bound as it is', () => {
    // Act
    const text = boundErrorText('Error: boom');

    // Assess
    expect(text).toBe('Error: boom');
  });

  it('cuts a 500 KB text to 8 KB with a marker saying how much was cut', () => {
    // Act
    const text = boundErrorText('x'.repeat(500_000));

    // Assess
    expect(bytes(text)).toBeLessThanOrEqual(MAX_STORED_ERROR_BYTES);
    expect(text).toMatch(/^x+\n… \[cut: [\d,]+ of 500,000 bytes\]$/);
  });

  it('cuts on a character boundary, never inside a multi-byte character', () => {
    // Act
    const text = boundErrorText('é'.repeat(10_000), 101);

    // Assess
    expect(bytes(text)).toBeLessThanOrEqual(101);
    expect(text).not.toContain('\uFFFD');
  });
});

describe('storedErrorText', () => {
  it('keeps the name, the message and the stack frames', () => {
    // Act
    const text = storedErrorText(new RangeError('too far'));

    // Assess
    expect(text).toMatch(/^RangeError: too far\n {4}at /);
  });

  it('keeps stack frames after a huge message, within the bound', () => {
    // Act
    const text = storedErrorText(new Error('m'.repeat(500_000)));

    // Assess
    expect(bytes(text)).toBeLessThanOrEqual(MAX_STORED_ERROR_BYTES);
    expect(text).toMatch(/^Error: m+\n… \[cut: .* bytes\]\n {4}at /);
  });

  it('describes a thrown non-error by its text', () => {
    // Act
    const text = storedErrorText('plain failure');

    // Assess
    expect(text).toBe('plain failure');
  });
});
