// The dead letters panel of the batches view: ingest events and task messages
// that failed too often.

import { $, cell, el, liveTime, syncRows } from './console-dom.js';

function what(letter) {
  if (letter.key !== undefined) {
    return [
      el('span', { className: 'mono' }, `${letter.bucket}/${letter.key}`),
      el('span', { className: 'sub' }, `object ${letter.eventType}`),
    ];
  }
  if (letter.jobId !== undefined) {
    return [
      el('span', { className: 'mono' }, letter.taskId),
      el(
        'span',
        { className: 'sub mono' },
        'job ',
        el('a', { href: `#job=${encodeURIComponent(letter.jobId)}` }, letter.jobId),
        `, attempt ${letter.attempt ?? '?'}`,
      ),
    ];
  }
  return el('span', { className: 'mono' }, (letter.body ?? '').slice(0, 120));
}

export function renderDeadLetters({ letters }) {
  $('dead-letters-tally').textContent = `(${letters.length})`;
  $('dead-letters-empty').hidden = letters.length > 0;
  syncRows(
    $('dead-letters-table').tBodies[0],
    letters,
    (letter) => `${letter.queue}/${letter.messageId}`,
    (letter) => [
      cell(
        [letter.kind, letter.queue],
        () => [
          letter.kind === 'ingest' ? 'ingest event' : 'task',
          el('span', { className: 'sub mono' }, letter.queue),
        ],
        { header: true },
      ),
      cell([letter.key, letter.jobId, letter.body], () => what(letter)),
      cell(letter.receiveCount, () => String(letter.receiveCount ?? '—'), { className: 'numeric' }),
      cell(
        letter.sentAt,
        () => (letter.sentAt ? liveTime(Date.parse(letter.sentAt), 'ago') : '—'),
        {
          className: 'numeric',
        },
      ),
    ],
  );
}
