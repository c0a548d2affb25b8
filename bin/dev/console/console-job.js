// The job view: what submitted the job, its input, its task tree, each task's
// attempts (runner, start, end, duration, error) and its log lines. The one
// markup string it receives, the task tree SVG, is parsed as XML, never HTML.

import {
  $,
  api,
  badge,
  cell,
  clockTime,
  el,
  fold,
  liveTime,
  stamp,
  syncRows,
} from './console-dom.js';
import { automationText, countsText } from './console-jobs.js';

const CANCELLABLE = new Set(['QUEUED', 'STARTED']);
const RETRYABLE = new Set(['FAILED', 'CANCELLED']);
const OUTCOMES = {
  computed: 'computed',
  failed: 'failed',
  'lease-lost': 'lease lost',
  running: 'running',
  unrecorded: 'no end logged',
};

const view = { jobId: null, job: null, lastSvg: null };

function facts(id, rows) {
  $(id).replaceChildren(
    ...rows
      .filter(([, value]) => value !== undefined)
      .flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
  );
}

function renderFacts(job) {
  facts('job-facts', [
    ['Job id', el('span', { className: 'mono' }, job.jobId)],
    ['State', badge(job.state)],
    ['Tasks', countsText(job)],
    ['Automation', automationText(job)],
    ['Cluster', el('span', { className: 'mono' }, job.cluster)],
    ['Trace', traceText(job)],
    ['Submitted', stamp(job.createdAt)],
    ['Updated', stamp(job.updatedAt)],
  ]);
}

/** The trace id and the command that prints the trace (docs/tracing.md). */
function traceText(job) {
  if (job.traceId === null) return 'not traced';
  return el(
    'span',
    { className: 'mono wrap', title: `npx bucketflow jobs trace ${job.jobId}` },
    job.traceId,
  );
}

function renderTrigger(trigger) {
  $('job-trigger-none').hidden = trigger !== null;
  if (trigger === null) return facts('job-trigger', []);
  const mono = (text) => el('span', { className: 'mono wrap' }, text);
  switch (trigger.kind) {
    case 'storage':
      return facts('job-trigger', [
        ['Kind', `object ${trigger.type}`],
        ['Object key', mono(trigger.key)],
        ['Location', mono(trigger.location)],
        ['Bucket', mono(trigger.bucket)],
        ['Size', trigger.size === null ? undefined : `${trigger.size} bytes`],
        ['ETag', trigger.etag === null ? undefined : mono(trigger.etag)],
        ['Event time', stamp(trigger.eventTime)],
      ]);
    case 'batch': {
      const more = trigger.count - trigger.members.length;
      return facts('job-trigger', [
        ['Kind', 'batch'],
        ['Prefix', mono(trigger.prefix || '(root)')],
        ['Bucket', mono(trigger.bucket)],
        ['Closed by', `${trigger.reason} (${trigger.count} objects)`],
        ['Events', `${clockTime(trigger.firstEventAt)} to ${clockTime(trigger.lastEventAt)}`],
        ['Batch id', mono(trigger.batchId)],
        [
          'Members',
          el(
            'ol',
            { className: 'members mono', id: 'job-members' },
            trigger.members.map((key) => el('li', {}, key)),
            more > 0 ? el('li', { className: 'sub' }, `and ${more} more`) : null,
          ),
        ],
      ]);
    }
    case 'cron':
      return facts('job-trigger', [
        ['Kind', 'cron fire'],
        ['Fire time', stamp(trigger.fireTime)],
        ['Expression', mono(trigger.expression ?? '(manual run)')],
        ['Time zone', trigger.timezone],
      ]);
    default:
      return facts('job-trigger', [['Trigger', fold(trigger.json, 'mono')]]);
  }
}

function renderTree(detail) {
  if (detail.svg === view.lastSvg) return;
  view.lastSvg = detail.svg;
  const canvas = $('job-tree');
  if (detail.svg === null) {
    canvas.replaceChildren(el('p', { className: 'empty' }, detail.svgNote ?? 'No diagram.'));
    return;
  }
  const svg = new DOMParser().parseFromString(detail.svg, 'image/svg+xml').documentElement;
  if (svg.nodeName !== 'svg') {
    canvas.replaceChildren(el('p', { className: 'empty' }, 'The task tree could not be drawn.'));
    return;
  }
  canvas.replaceChildren(document.importNode(svg, true));
}

function taskName(task) {
  const name = el(
    'span',
    { className: 'task-name' },
    task.depth > 0 ? `↳ ${task.display}` : task.display,
    el('span', { className: 'sub mono' }, task.taskId),
  );
  name.style.paddingLeft = `${Math.max(0, task.depth - 1) * 1.1 + (task.depth > 0 ? 0.4 : 0)}rem`;
  return name;
}

function attemptsText(task) {
  const count = task.attempts.length;
  const extra = [
    task.retries > 0 ? `${task.retries} retried` : null,
    task.leaseExpiries > 0 ? `${task.leaseExpiries} lease expired` : null,
  ].filter(Boolean);
  return [
    `${count} of ${task.maxRetries + 1}`,
    extra.length ? el('span', { className: 'sub' }, extra.join(', ')) : null,
  ];
}

function renderTasks(tasks) {
  syncRows(
    $('tasks-table').tBodies[0],
    tasks,
    (task) => task.taskId,
    (task) => [
      cell([task.display, task.taskId, task.depth], () => taskName(task), { header: true }),
      cell(task.state, () => badge(task.state)),
      cell(task.identifier, () => el('span', { className: 'mono' }, task.identifier)),
      cell([task.attempts.length, task.retries, task.leaseExpiries], () => attemptsText(task), {
        className: 'numeric',
      }),
      cell(task.input, () => fold(task.inputTruncated ? `${task.input}\n…` : task.input, 'mono')),
      cell(task.lastError, () => fold(task.lastError, 'error-text'), { className: 'error-cell' }),
    ],
  );
}

function renderAttempts(tasks) {
  const rows = tasks.flatMap((task) => task.attempts.map((attempt) => ({ task, attempt })));
  $('attempts-empty').hidden = rows.length > 0;
  syncRows(
    $('attempts-table').tBodies[0],
    rows,
    ({ task, attempt }) => `${task.taskId}#${attempt.attempt}`,
    ({ task, attempt }) => [
      cell(
        [task.display, attempt.attempt],
        () => [task.display, el('span', { className: 'sub' }, `attempt ${attempt.attempt}`)],
        {
          header: true,
        },
      ),
      cell(attempt.runnerId, () => el('span', { className: 'mono wrap' }, attempt.runnerId ?? '—')),
      cell(attempt.startedAt, () => stamp(attempt.startedAt), { className: 'tabular' }),
      cell(attempt.endedAt, () => (attempt.endedAt === null ? '—' : clockTime(attempt.endedAt)), {
        className: 'tabular',
      }),
      cell(
        [attempt.durationMs, attempt.outcome, attempt.startedAt],
        () => {
          if (attempt.durationMs !== null) return `${attempt.durationMs} ms`;
          return attempt.outcome === 'running' && attempt.startedAt !== null
            ? liveTime(attempt.startedAt, 'age')
            : '—';
        },
        { className: 'numeric' },
      ),
      cell(attempt.outcome, () =>
        el('span', { className: `outcome outcome-${attempt.outcome}` }, OUTCOMES[attempt.outcome]),
      ),
      cell(attempt.error, () => fold(attempt.error, 'error-text'), { className: 'error-cell' }),
    ],
  );
}

function renderLogs(detail) {
  $('logs-note').textContent = detail.logsNote ?? '';
  $('logs-empty').hidden = detail.logs.length > 0;
  const shortIds = new Map(detail.tasks.map((task) => [task.taskId, task.display]));
  syncRows(
    $('logs-table').tBodies[0],
    detail.logs,
    (line) => `${line.time}|${line.taskId}|${line.attempt}|${line.message}|${line.fields}`,
    (line) => [
      cell(line.time, () => clockTime(line.time), { className: 'tabular mono' }),
      cell(line.level, () => el('span', { className: `level level-${line.level}` }, line.level)),
      cell([line.taskId, line.attempt], () =>
        line.taskId === null
          ? '—'
          : [
              shortIds.get(line.taskId) ?? line.taskId,
              el('span', { className: 'sub' }, `attempt ${line.attempt ?? '?'}`),
            ],
      ),
      cell(line.message, () => fold(line.message)),
      cell(line.fields, () => fold(line.fields, 'mono')),
    ],
  );
}

function renderDetail(detail) {
  const { job } = detail;
  view.job = job;
  $('job-heading').textContent = `Job ${job.name}`;
  $('job-cancel').disabled = !CANCELLABLE.has(job.state);
  $('job-retry').disabled = !RETRYABLE.has(job.state);
  renderFacts(job);
  renderTrigger(detail.trigger);
  $('job-input').textContent = detail.tasks[0]?.input ?? '—';
  renderTree(detail);
  renderTasks(detail.tasks);
  renderAttempts(detail.tasks);
  renderLogs(detail);
}

function setNotice(text, isError = false) {
  const notice = $('job-notice');
  notice.textContent = text;
  notice.classList.toggle('error-text', isError);
}

async function jobAction(action, poll) {
  const job = view.job;
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

export const jobView = {
  section: 'view-job',
  start(poll) {
    $('job-cancel').addEventListener('click', () => jobAction('cancel', poll));
    $('job-retry').addEventListener('click', () => jobAction('retry', poll));
  },
  enter(route) {
    if (route.id === view.jobId) return;
    Object.assign(view, { jobId: route.id, job: null, lastSvg: null });
    setNotice('');
    $('job-heading').textContent = `Job ${route.id}`;
    $('job-tree').replaceChildren();
    for (const id of ['tasks-table', 'attempts-table', 'logs-table'])
      $(id).tBodies[0].replaceChildren();
  },
  async refresh(route) {
    const detail = await api(`/api/jobs/${encodeURIComponent(route.id)}`);
    // Another job may have been chosen while this one loaded.
    if (route.id === view.jobId) renderDetail(detail);
  },
};
