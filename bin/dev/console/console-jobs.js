// The jobs view: filters (state, automation, time range), search by job id,
// name or object key, and paging through the API's cursors. The filters live
// in the location hash (#jobs?state=FAILED&q=…), so back and reload keep them.

import { $, api, badge, cell, clockTime, el, fold, liveTime, syncRows } from './console-dom.js';

/** Task states in the order the progress bars show them. */
const TASK_STATES = ['COMPUTED', 'RUNNING', 'QUEUED', 'FAILED', 'CANCELLED'];
const FILTERS = ['state', 'automation', 'from', 'to', 'q', 'limit'];
const PAGE_SIZE = '50';

const paging = { filters: '', cursors: [null], page: 0, next: null };

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

/** One line on what submitted a job: the object, the batch or the fire time. */
export function triggerLine(trigger) {
  if (trigger === null) return el('span', { className: 'sub' }, 'no trigger');
  switch (trigger.kind) {
    case 'storage':
      return [
        el('span', { className: 'mono wrap' }, trigger.key),
        el('span', { className: 'sub' }, `${trigger.type} in ${trigger.location}`),
      ];
    case 'batch':
      return [
        el('span', { className: 'mono wrap' }, trigger.prefix || '(root)'),
        el('span', { className: 'sub' }, `batch of ${trigger.count}, closed by ${trigger.reason}`),
      ];
    case 'cron':
      return [clockTime(trigger.fireTime), el('span', { className: 'sub' }, 'cron fire time')];
    default:
      return el('span', { className: 'sub' }, 'custom trigger');
  }
}

export function automationText(job) {
  return job.automation ?? (job.automationId ? `deleted (${job.automationId})` : 'manual');
}

function filtersFrom(params) {
  const filters = new URLSearchParams();
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) filters.set(name, value);
  }
  return filters;
}

/** datetime-local text for an ISO time, in the page's zone. */
function localInput(iso) {
  const time = Date.parse(iso ?? '');
  if (Number.isNaN(time)) return '';
  return new Date(time - new Date(time).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function fillForm(filters) {
  $('filter-state').value = filters.get('state') ?? '';
  $('filter-automation').value = filters.get('automation') ?? '';
  $('filter-from').value = localInput(filters.get('from'));
  $('filter-to').value = localInput(filters.get('to'));
  $('filter-q').value = filters.get('q') ?? '';
}

function submitFilters(event) {
  event.preventDefault();
  const filters = new URLSearchParams();
  const set = (name, value) => value && filters.set(name, value);
  set('state', $('filter-state').value);
  set('automation', $('filter-automation').value);
  for (const name of ['from', 'to']) {
    const value = $(`filter-${name}`).value;
    if (value) set(name, new Date(value).toISOString());
  }
  set('q', $('filter-q').value.trim());
  const query = filters.toString();
  window.location.hash = query ? `#jobs?${query}` : '#jobs';
}

async function fillAutomations() {
  const select = $('filter-automation');
  if (select.options.length > 1) return;
  const { automations } = await api('/api/automations');
  const chosen = select.value;
  select.append(
    ...automations.map((automation) => el('option', { value: automation.id }, automation.name)),
  );
  select.value = chosen;
}

function renderJobs(body) {
  $('jobs-tally').textContent =
    body.jobs.length === 0 ? '' : `(page ${paging.page + 1}, ${body.jobs.length} jobs)`;
  const filtered = paging.filters !== '';
  $('jobs-empty').hidden = body.jobs.length > 0;
  $('jobs-empty').textContent = filtered
    ? `No jobs match these filters between ${clockTime(body.from)} and ${clockTime(body.to)}.`
    : `No jobs submitted between ${clockTime(body.from)} and now.`;
  $('jobs-scanned').textContent =
    body.scanned > body.jobs.length ? `Looked at ${body.scanned} jobs for this page.` : '';
  syncRows(
    $('jobs-table').tBodies[0],
    body.jobs,
    (job) => job.jobId,
    (job) => [
      cell(
        [job.name, job.jobId],
        () => [
          el(
            'a',
            { className: 'job-link', href: `#job=${encodeURIComponent(job.jobId)}` },
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
      cell(job.trigger, () => triggerLine(job.trigger), { className: 'trigger-cell' }),
      cell(job.automation ?? job.automationId, () => automationText(job)),
      cell(job.createdAt, () => liveTime(job.createdAt, 'ago'), { className: 'numeric' }),
      cell(job.error, () => fold(job.error, 'error-text'), { className: 'error-cell' }),
    ],
  );
  $('jobs-newer').disabled = paging.page === 0;
  $('jobs-older').disabled = body.nextCursor === null;
  paging.next = body.nextCursor;
}

function pageQuery() {
  const query = new URLSearchParams(paging.filters);
  if (!query.has('limit')) query.set('limit', PAGE_SIZE);
  const cursor = paging.cursors[paging.page];
  if (cursor) query.set('cursor', cursor);
  return query.toString();
}

export const jobsView = {
  section: 'view-jobs',
  start(poll) {
    $('jobs-filters').addEventListener('submit', submitFilters);
    $('filters-clear').addEventListener('click', () => {
      window.location.hash = '#jobs';
    });
    $('jobs-older').addEventListener('click', () => {
      paging.cursors[paging.page + 1] = paging.next;
      paging.page += 1;
      poll();
    });
    $('jobs-newer').addEventListener('click', () => {
      paging.page = Math.max(0, paging.page - 1);
      poll();
    });
  },
  enter(route) {
    const filters = filtersFrom(route.params);
    if (filters.toString() !== paging.filters) {
      Object.assign(paging, { filters: filters.toString(), cursors: [null], page: 0, next: null });
    }
    fillForm(filters);
  },
  async refresh() {
    await fillAutomations();
    const query = pageQuery();
    const body = await api(`/api/jobs?${query}`).catch((error) => {
      if (error.status === 400) {
        // No rows that the refused filters did not select; the message says what to change.
        $('jobs-table').tBodies[0].replaceChildren();
        $('jobs-empty').hidden = false;
        $('jobs-empty').textContent = error.message;
      }
      throw error;
    });
    // A response to filters or a page the user has left since is dropped.
    if (pageQuery() === query) renderJobs(body);
  },
};
