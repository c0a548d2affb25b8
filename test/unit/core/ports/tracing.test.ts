import { describe, expect, it } from 'vitest';
import { isTraceparent, traceIdOf } from '../../../../lambdas/core/ports/tracing.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparents', () => {
  it('accepts a version-00 traceparent and gives its trace id', () => {
    expect(isTraceparent(TRACEPARENT)).toBe(true);
    expect(traceIdOf(TRACEPARENT)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['a foreign version', TRACEPARENT.replace(/^00/, 'ff')],
    ['upper-case hex', TRACEPARENT.toUpperCase()],
    ['a trace id cut short', '00-4bf92f35-00f067aa0ba902b7-01'],
    ['trailing text', `${TRACEPARENT}-extra`],
  ])('has no trace id when the traceparent is %s', (_label, text) => {
    expect(isTraceparent(text)).toBe(false);
    expect(traceIdOf(text)).toBeUndefined();
  });
});
