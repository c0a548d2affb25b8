import type { SubmitJobRequest, SubmitJobResult } from '../ports/job-store.js';
import { NO_TRACING } from '../ports/tracing.js';
import type { ServiceDependencies } from './service-dependencies.js';

/**
 * Submits a job inside a `submit job` span, a child of the current span (an
 * object's ingest, a cron fire, a batch's dispatch): the job's root tasks
 * carry the span's traceparent, so their attempts nest below it.
 */
export function submitTraced(
  deps: ServiceDependencies,
  request: SubmitJobRequest,
): Promise<SubmitJobResult> {
  const attributes = {
    'bucketflow.job.name': request.name,
    'bucketflow.automation.id': request.automationId,
  };
  return (deps.tracing ?? NO_TRACING).span('submit job', attributes, async (span) => {
    const result = await deps.jobs.submit({ ...request, traceparent: span.traceparent });
    span.set({ 'bucketflow.job.id': result.job.jobId, 'bucketflow.job.created': result.created });
    return result;
  });
}
