// The listings of the console page: automations, open batches, stuck batches
// and recent jobs, each a keyed table refreshed from one API response.

import { $, badge, cell, el, liveTime, syncRows } from './console-dom.js';

/** Task states in the order the progress bars show them. */
const TASK_STATES = ['COMPUTED', 'RUNNING', 'QUEUED', 'FAILED', 'CANCELLED'];

function showEmpty(id, empty) {
  $(id).hidden = !empty;
}

function tally(id, count, noun) {
  $(id).textContent = `(${count} ${noun}${count === 1 ? '' : 's'})`;
}

export function renderAutomations({ automations }) {
  tally('automations-tally', automations.length, 'automation');
  showEmpty('automations-empty', automations.length === 0);
  syncRows(
    $('automations-table').tBodies[0],
    automations,
    (automation) => automation.id,
    (automation) => [
      cell(
        [automation.name, automation.id],
        () => [automation.name, el('span', { className: 'sub mono' }, automation.id)],
        { header: true },
      ),
      cell(automation.kind, () => el('span', { className: 'badge kind' }, automation.kind)),
      cell(automation.summary, () =>
        el(
          'ul',
          { className: 'triggers' },
          automation.summary.map((line) => el('li', {}, line)),
        ),
      ),
      cell(automation.task, () => el('span', { className: 'mono' }, automation.task ?? '—')),
      cell(automation.cluster, () => el('span', { className: 'mono' }, automation.cluster)),
      cell(automation.enabled, () =>
        automation.enabled
          ? el('span', { className: 'badge kind' }, 'enabled')
          : el('span', { className: 'badge disabled' }, 'disabled'),
      ),
    ],
  );
}

export function renderBatches({ batches }) {
  $('batches-tally').textContent = `(${batches.length} open)`;
  showEmpty('batches-empty', batches.length === 0);
  syncRows(
    $('batches-table').tBodies[0],
    batches,
    (batch) => batch.batchId,
    (batch) => [
      cell(
        [batch.automation, batch.automationId],
        () => batch.automation ?? `deleted (${batch.automationId})`,
        {
          header: true,
        },
      ),
      cell([batch.location, batch.bucket], () => [
        batch.location ?? batch.bucket,
        batch.location && batch.location !== batch.bucket
          ? el('span', { className: 'sub mono' }, batch.bucket)
          : null,
      ]),
      cell(batch.prefix, () => el('span', { className: 'mono' }, batch.prefix || '(root)')),
      cell(
        [batch.count, batch.countThreshold],
        () =>
          batch.countThreshold === null
            ? String(batch.count)
            : `${batch.count} of ${batch.countThreshold}`,
        { className: 'numeric batch-count' },
      ),
      cell(batch.firstEventAt, () => liveTime(batch.firstEventAt, 'age'), { className: 'numeric' }),
      cell([batch.dueAt, batch.dueReason], () => [
        liveTime(batch.dueAt, 'until'),
        el('span', { className: 'sub' }, batch.dueReason === 'quiet' ? 'when quiet' : 'at max age'),
      ]),
    ],
  );
}

/** Shown only while some batch is stuck: it is a problem to look at, not a steady state. */
export function renderStuckBatches({ batches }) {
  $('stuck-panel').hidden = batches.length === 0;
  tally('stuck-tally', batches.length, 'batch');
  syncRows(
    $('stuck-table').tBodies[0],
    batches,
    (batch) => batch.batchId,
    (batch) => [
      cell(
        [batch.automation, batch.batchId],
        () => [
          batch.automation ?? `deleted (${batch.automationId})`,
          el('span', { className: 'sub mono' }, batch.batchId),
        ],
        { header: true },
      ),
      cell([batch.bucket, batch.prefix], () => [
        el('span', { className: 'mono' }, batch.prefix || '(root)'),
        el('span', { className: 'sub mono' }, batch.bucket),
      ]),
      cell([batch.count, batch.reason], () => `${batch.count} (${batch.reason})`, {
        className: 'numeric',
      }),
      cell(batch.closedAt, () => liveTime(batch.closedAt, 'ago'), { className: 'numeric' }),
      cell(batch.attempts, () => String(batch.attempts), { className: 'numeric' }),
      cell(batch.error, () => el('span', { className: 'mono' }, batch.error)),
      cell(batch.retryAt, () => (batch.retryAt === null ? '—' : liveTime(batch.retryAt, 'until'))),
    ],
  );
}

export function countsText(job) {
  const parts = TASK_STATES.filter((state) => job.counts[state] > 0).map(
    (state) => `${job.counts[state]} ${state.toLowerCase()}`,
  );
  return `${parts.join(', ') || 'no tasks'} of ${job.taskCount}`;
}

function progress(job) {
  const bar = el('span', { className: 'progress', role: 'img', 'aria-label': countsText(job) });
  for (const state of TASK_STATES) {
    const count = job.counts[state];
    if (count === 0 || job.taskCount === 0) continue;
    const segment = el('span', { className: `state-${state}` });
    segment.style.width = `${(100 * count) / job.taskCount}%`;
    bar.append(segment);
  }
  return bar;
}

/** `onSelect(jobId)` runs when a job's name is clicked; `selectedJobId` marks its row. */
export function renderJobs({ jobs }, { selectedJobId, onSelect }) {
  tally('jobs-tally', jobs.length, 'job');
  showEmpty('jobs-empty', jobs.length === 0);
  syncRows(
    $('jobs-table').tBodies[0],
    jobs,
    (job) => job.jobId,
    (job) => [
      cell(
        [job.name, job.jobId],
        () => [
          el(
            'button',
            { type: 'button', className: 'job-link', onClick: () => onSelect(job.jobId) },
            job.name,
          ),
          el('span', { className: 'sub mono' }, job.jobId),
        ],
        { header: true },
      ),
      cell(job.state, () => badge(job.state)),
      cell([job.counts, job.taskCount], () => [
        el('span', { className: 'numeric' }, `${job.counts.COMPUTED} of ${job.taskCount} computed`),
        progress(job),
      ]),
      cell(
        job.automation ?? job.automationId,
        () => job.automation ?? (job.automationId ? `deleted (${job.automationId})` : 'manual'),
      ),
      cell(job.createdAt, () => liveTime(job.createdAt, 'ago'), { className: 'numeric' }),
    ],
    (row, job) => {
      if (job.jobId === selectedJobId) row.setAttribute('aria-current', 'true');
      else row.removeAttribute('aria-current');
    },
  );
}
