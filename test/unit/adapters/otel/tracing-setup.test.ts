import { context, createContextKey } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTracing } from '../../../../lambdas/adapters/otel/tracing-setup.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('startTracing', () => {
  it('registers one context manager per process, however often it is called', async () => {
    const enable = vi.spyOn(AsyncLocalStorageContextManager.prototype, 'enable');
    const first = startTracing({ serviceName: 'first' });
    const second = startTracing({ serviceName: 'second' });
    expect(enable).toHaveBeenCalledTimes(1);
    // The registered manager carries context across an await, as spans need.
    const key = createContextKey('probe');
    const seen = await context.with(context.active().setValue(key, 'inside'), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return context.active().getValue(key);
    });
    expect(seen).toBe('inside');
    await Promise.all([first.shutdown(), second.shutdown()]);
  });
});
