// The bucketflow console page: polls the JSON API of the server that serves it
// every 2 s and keeps the listings and the chosen job's detail in step. The one
// markup string it receives, the task tree SVG, is parsed as XML, never HTML.

import { $, badge, cell, clock, el, liveTime, syncRows, tick } from './console-dom.js';
import {
  countsText,
  renderAutomations,
  renderBatches,
  renderJobs,
  renderStuckBatches,
} from './console-tables.js';

const POLL_MS = 2000;
const TICK_MS = 1000;
const JOBS_LIMIT = 50;
const CANCELLABLE = new Set(['QUEUED', 'STARTED']);
const RETRYABLE = new Set(['FAILED', 'CANCELLED']);

const view = {
  selectedJobId: jobIdFromHash(),
  lastSvg: null,
  detailJob: null,
  pollTimer: undefined,
};

async function api(path, init) {
  const response = await fetch(path, {
    ...init,
    headers: { accept: 'application/json', ...(init?.headers ?? {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

function renderFacts(job) {
  const facts = [
    ['Job id', el('span', { className: 'mono' }, job.jobId)],
    ['State', badge(job.state)],
    ['Tasks', countsText(job)],
    [
      'Automation',
      job.automation ?? (job.automationId ? `deleted (${job.automationId})` : 'manual'),
    ],
    ['Cluster', el('span', { className: 'mono' }, job.cluster)],
    ['Submitted', liveTime(job.createdAt, 'ago')],
  ];
  $('job-facts').replaceChildren(
    ...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
  );
}

function renderTree(detail) {
  if (detail.svg === view.lastSvg) return;
  view.lastSvg = detail.svg;
  const canvas = $('job-tree');
  if (detail.svg === null) {
    canvas.replaceChildren(el('p', { className: 'empty' }, detail.svgNote ?? 'No diagram.'));
    return;
  }
  const parsed = new DOMParser().parseFromString(detail.svg, 'image/svg+xml');
  const svg = parsed.documentElement;
  if (svg.nodeName !== 'svg') {
    canvas.replaceChildren(el('p', { className: 'empty' }, 'The task tree could not be drawn.'));
    return;
  }
  canvas.replaceChildren(document.importNode(svg, true));
}

function renderTasks(tasks) {
  syncRows(
    $('tasks-table').tBodies[0],
    tasks,
    (task) => task.taskId,
    (task) => [
      cell(
        [task.display, task.taskId, task.depth],
        () => {
          const name = el(
            'span',
            { className: 'task-name' },
            task.depth > 0 ? `↳ ${task.display}` : task.display,
            el('span', { className: 'sub mono' }, task.taskId),
          );
          name.style.paddingLeft = `${Math.max(0, task.depth - 1) * 1.1 + (task.depth > 0 ? 0.4 : 0)}rem`;
          return name;
        },
        { header: true },
      ),
      cell(task.state, () => badge(task.state)),
      cell(task.identifier, () => el('span', { className: 'mono' }, task.identifier)),
      cell(task.attempts, () => String(task.attempts), { className: 'numeric' }),
      cell(task.lastError, () =>
        task.lastError ? el('span', { className: 'error-text' }, task.lastError) : '—',
      ),
    ],
  );
}

function renderDetail(detail) {
  const section = $('job-detail');
  const { job } = detail;
  view.detailJob = job;
  section.hidden = false;
  $('job-heading').textContent = `Job ${job.name}`;
  $('job-cancel').disabled = !CANCELLABLE.has(job.state);
  $('job-retry').disabled = !RETRYABLE.has(job.state);
  renderFacts(job);
  renderTree(detail);
  renderTasks(detail.tasks);
}

function clearDetail() {
  view.detailJob = null;
  setNotice('');
  view.lastSvg = null;
  $('job-detail').hidden = true;
  $('job-tree').replaceChildren();
  $('tasks-table').tBodies[0].replaceChildren();
}

function jobIdFromHash() {
  const match = /^#job=([0-9A-Za-z]+)$/.exec(window.location.hash);
  return match ? match[1] : null;
}

function setStatus(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

function setNotice(text, isError = false) {
  const notice = $('job-notice');
  notice.textContent = text;
  notice.classList.toggle('error-text', isError);
}

async function selectJob(jobId) {
  if (window.location.hash !== `#job=${jobId}`) {
    history.pushState(null, '', `#job=${jobId}`);
  }
  await showJob(jobId, true);
}

async function showJob(jobId, focus) {
  if (jobId !== view.selectedJobId) clearDetail();
  view.selectedJobId = jobId;
  for (const row of $('jobs-table').tBodies[0].rows) {
    if (row.dataset.key === jobId) row.setAttribute('aria-current', 'true');
    else row.removeAttribute('aria-current');
  }
  await loadDetail(jobId, focus);
}

async function loadDetail(jobId, focus) {
  if (jobId === null) return;
  try {
    const detail = await api(`/api/jobs/${encodeURIComponent(jobId)}`);
    // Another job may have been chosen while this one loaded.
    if (jobId !== view.selectedJobId) return;
    renderDetail(detail);
    if (focus) $('job-heading').focus();
  } catch (error) {
    setStatus(`Job ${jobId}: ${error.message}`, true);
  }
}

async function jobAction(action) {
  const job = view.detailJob;
  if (job === null) return;
  try {
    const result = await api(`/api/jobs/${encodeURIComponent(job.jobId)}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    setNotice(
      action === 'cancel'
        ? `Cancelled ${result.cancelled} queued task(s) of ${job.name}.`
        : `Requeued ${result.requeued} task(s) of ${job.name}.`,
    );
    await poll();
  } catch (error) {
    setNotice(`Could not ${action} ${job.name}: ${error.message}`, true);
  }
}

async function poll() {
  clearTimeout(view.pollTimer);
  try {
    const [automations, batches, stuck, jobs] = await Promise.all([
      api('/api/automations'),
      api('/api/batches'),
      api('/api/batches/stuck'),
      api(`/api/jobs?limit=${JOBS_LIMIT}`),
    ]);
    clock.offset = jobs.now - Date.now();
    renderAutomations(automations);
    renderBatches(batches);
    renderStuckBatches(stuck);
    renderJobs(jobs, { selectedJobId: view.selectedJobId, onSelect: selectJob });
    setStatus(`Updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    setStatus(`Cannot reach the bucketflow dev API: ${error.message}. Retrying…`, true);
  }
  try {
    await loadDetail(view.selectedJobId, false);
  } finally {
    view.pollTimer = setTimeout(poll, POLL_MS);
  }
}

function start() {
  $('job-close').addEventListener('click', () => {
    history.pushState(null, '', window.location.pathname);
    showJob(null, false);
    $('jobs-heading').focus();
  });
  $('job-cancel').addEventListener('click', () => jobAction('cancel'));
  $('job-retry').addEventListener('click', () => jobAction('retry'));
  window.addEventListener('popstate', () => showJob(jobIdFromHash(), false));
  setInterval(tick, TICK_MS);
  poll();
}

start();
