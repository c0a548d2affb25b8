// The automations and batches views of the console page: automations with
// their next fire, open batches, stuck batches and dead letters, each a keyed
// table refreshed from one API response.

import { renderDeadLetters } from './console-dead-letters.js';
import { $, api, cell, clockTime, el, fold, liveTime, syncRows, tally } from './console-dom.js';

function showEmpty(id, empty) {
  $(id).hidden = !empty;
}

function nextFire(automation) {
  if (automation.nextFireAt === null) {
    return automation.kind === 'cron' ? el('span', { className: 'sub' }, 'paused') : '—';
  }
  return [
    el(
      'time',
      { datetime: new Date(automation.nextFireAt).toISOString() },
      clockTime(automation.nextFireAt),
    ),
    el('span', { className: 'sub' }, liveTime(automation.nextFireAt, 'until')),
  ];
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
      cell(automation.nextFireAt, () => nextFire(automation), { className: 'numeric' }),
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
      cell(batch.error, () => fold(batch.error, 'mono error-text')),
      cell(batch.retryAt, () => (batch.retryAt === null ? '—' : liveTime(batch.retryAt, 'until'))),
    ],
  );
}

export const automationsView = {
  section: 'view-automations',
  async refresh() {
    renderAutomations(await api('/api/automations'));
  },
};

export const batchesView = {
  section: 'view-batches',
  async refresh() {
    const [open, stuck, letters] = await Promise.all([
      api('/api/batches'),
      api('/api/batches/stuck'),
      api('/api/dead-letters'),
    ]);
    renderBatches(open);
    renderStuckBatches(stuck);
    renderDeadLetters(letters);
  },
};
