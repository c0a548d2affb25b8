// The clusters view: per cluster its task queues (waiting, in flight, delayed),
// its dead-letter queue and the runners seen recently, with what they poll.

import { $, api, cell, el, liveTime, stamp, syncRows } from './console-dom.js';

const SOURCES = {
  runner: 'a runner polls it',
  automation: 'an automation submits to it',
  'queued-task': 'a task waits on it',
};

function routeRows(cluster) {
  const tbody = el('tbody');
  syncRows(
    tbody,
    cluster.routes,
    (route) => `${route.taskName}@v${route.versionMajor}`,
    (route) => [
      cell(
        route.taskName,
        () => el('span', { className: 'mono wrap' }, `${route.taskName}@v${route.versionMajor}.x`),
        {
          header: true,
        },
      ),
      cell(route.depth, () => (route.depth ? String(route.depth.visible) : '—'), {
        className: 'numeric',
      }),
      cell(route.depth, () => (route.depth ? String(route.depth.inFlight) : '—'), {
        className: 'numeric',
      }),
      cell(route.depth, () => (route.depth ? String(route.depth.delayed) : '—'), {
        className: 'numeric',
      }),
      cell(route.runners, () =>
        route.runners > 0
          ? String(route.runners)
          : el(
              'span',
              { className: 'error-text' },
              'none: its tasks wait until a runner registers it',
            ),
      ),
      cell(route.sources, () => route.sources.map((source) => SOURCES[source]).join('; ')),
    ],
  );
  return tbody;
}

function runnerRows(cluster) {
  const tbody = el('tbody');
  syncRows(
    tbody,
    cluster.runners,
    (runner) => runner.runnerId,
    (runner) => [
      cell(runner.runnerId, () => el('span', { className: 'mono wrap' }, runner.runnerId), {
        header: true,
      }),
      cell(runner.kind, () => runner.kind),
      cell(runner.identifiers, () =>
        el(
          'ul',
          { className: 'plain mono' },
          runner.identifiers.map((identifier) => el('li', {}, identifier)),
        ),
      ),
      cell(runner.startedAt, () => stamp(runner.startedAt), { className: 'numeric' }),
      cell(runner.seenAt, () => liveTime(runner.seenAt, 'ago'), { className: 'numeric' }),
    ],
  );
  return tbody;
}

function table(caption, headings, tbody) {
  return el(
    'div',
    { className: 'table-scroll' },
    el(
      'table',
      {},
      el('caption', {}, caption),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          headings.map((text) => el('th', { scope: 'col' }, text)),
        ),
      ),
      tbody,
    ),
  );
}

function clusterPanel(cluster, notes) {
  const dlq = cluster.deadLettered;
  return el(
    'section',
    {
      className: 'panel cluster',
      'aria-label': `Cluster ${cluster.name}`,
      dataset: { slug: cluster.slug },
    },
    el(
      'h2',
      {},
      cluster.name,
      ' ',
      el('span', { className: 'tally mono' }, cluster.slug),
      ' ',
      el(
        'span',
        {
          className: `badge ${dlq ? 'state-FAILED' : 'kind'}`,
          dataset: { dlq: String(dlq ?? '') },
        },
        dlq === null ? 'DLQ: unknown' : `DLQ: ${dlq}`,
      ),
    ),
    cluster.routes.length > 0
      ? table(
          'Task queues',
          ['Task route', 'Waiting', 'In flight', 'Delayed', 'Runners polling', 'Known because'],
          routeRows(cluster),
        )
      : el(
          'p',
          { className: 'empty' },
          'No task queue known: no runner, automation or queued task names one.',
        ),
    cluster.runners.length > 0
      ? table(
          'Runners seen recently',
          ['Runner', 'Kind', 'Polls', 'Started', 'Last seen'],
          runnerRows(cluster),
        )
      : el('p', { className: 'empty' }, notes.runners),
  );
}

export const clustersView = {
  section: 'view-clusters',
  async refresh() {
    const body = await api('/api/clusters');
    const notes = {
      runners: body.runnersKnown
        ? 'No runner seen recently on this cluster.'
        : 'This console reads no runner registry.',
    };
    $('clusters-empty').hidden = body.clusters.length > 0;
    $('clusters').replaceChildren(...body.clusters.map((cluster) => clusterPanel(cluster, notes)));
  },
};
