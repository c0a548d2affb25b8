// DOM helpers of the console page: the API call, element building, keyed table
// rows that update in place (so focus, an open fold and a pending click survive
// a refresh), folded long text and times that tick. Data only ever reaches the
// page as text nodes.

/** Server time minus page time, so ages tick on the server's clock. */
export const clock = { offset: 0 };

export const $ = (id) => document.getElementById(id);

/** Text longer than this, or of more than one line, is folded to its first lines. */
const FOLD_CHARS = 140;

export async function api(path, init) {
  const response = await fetch(path, {
    ...init,
    headers: { accept: 'application/json', ...(init?.headers ?? {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error ?? `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  if (typeof body.now === 'number') clock.offset = body.now - Date.now();
  return body;
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name === 'onClick') node.addEventListener('click', value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((child) => child !== undefined && child !== null));
  return node;
}

function now() {
  return Date.now() + clock.offset;
}

export function duration(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

// Date's range ends at ±8.64e15 ms; a stored time beyond it (a threshold written before
// thresholds were bounded) shows as a dash instead of stopping the page.
function isValidTime(epochMs) {
  return Number.isFinite(epochMs) && Math.abs(epochMs) <= 8.64e15;
}

function isoTime(epochMs) {
  return isValidTime(epochMs) ? new Date(epochMs).toISOString() : '';
}

// A <time> whose text the ticker rewrites: "age" counts up from the instant,
// "ago" says how long ago it was, "until" counts down to it.
export function liveTime(epochMs, mode) {
  if (!isValidTime(epochMs)) {
    return el('span', { title: `not a valid time: ${String(epochMs)}` }, '—');
  }
  const node = el('time', { datetime: isoTime(epochMs), title: isoTime(epochMs) });
  node.dataset.live = mode;
  node.dataset.at = String(epochMs);
  node.textContent = liveText(epochMs, mode);
  return node;
}

function liveText(epochMs, mode) {
  const delta = now() - epochMs;
  if (mode === 'age') return duration(delta);
  if (mode === 'ago') return `${duration(delta)} ago`;
  return delta >= 0 ? `due (${duration(delta)} over)` : `in ${duration(-delta)}`;
}

export function tick() {
  for (const node of document.querySelectorAll('time[data-live]')) {
    node.textContent = liveText(Number(node.dataset.at), node.dataset.live);
  }
}

/** An absolute time in the page's zone, to the millisecond: `2026-03-01 08:00:01.234`. */
export function clockTime(epochMs) {
  if (!isValidTime(epochMs)) return '—';
  const at = new Date(epochMs);
  const pad = (value, width = 2) => String(value).padStart(width, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
}

/** A time as its clock time with a live "ago" below it. */
export function stamp(epochMs) {
  if (epochMs === null || epochMs === undefined) return '—';
  return [
    el('time', { datetime: isoTime(epochMs) }, clockTime(epochMs)),
    el('span', { className: 'sub' }, liveTime(epochMs, 'ago')),
  ];
}

/**
 * Long or multi-line text (errors, keys) folded to its first lines, with a
 * native disclosure to read all of it; the text wraps anywhere, so a long
 * path or stack never widens its table.
 */
export function fold(text, className = '') {
  if (text === null || text === undefined || text === '') return '—';
  if (text.length <= FOLD_CHARS && !text.includes('\n')) {
    return el('span', { className: `wrap ${className}` }, text);
  }
  return el(
    'details',
    { className: `fold ${className}` },
    el('summary', {}, el('span', { className: 'fold-head' }, text)),
    el('pre', { className: 'fold-body' }, text),
  );
}

export function badge(state) {
  return el('span', { className: `badge state-${state}` }, state);
}

// A cell whose content is rebuilt only when `value` changes.
export function cell(value, build = () => String(value), options = {}) {
  return { sig: JSON.stringify(value), build, ...options };
}

export function tally(id, count, noun) {
  $(id).textContent = `(${count} ${noun}${count === 1 ? '' : 's'})`;
}

export function syncRows(tbody, items, keyOf, cellsOf, decorate = () => {}) {
  const existing = new Map(Array.from(tbody.rows, (row) => [row.dataset.key, row]));
  let previous = null;
  for (const item of items) {
    const key = keyOf(item);
    let row = existing.get(key);
    existing.delete(key);
    if (row === undefined) {
      row = el('tr');
      row.dataset.key = key;
    }
    cellsOf(item).forEach((spec, index) => {
      let target = row.cells[index];
      if (target === undefined) {
        target = el(spec.header ? 'th' : 'td', spec.header ? { scope: 'row' } : {});
        row.append(target);
      }
      if (spec.className) target.className = spec.className;
      if (target.dataset.sig !== spec.sig) {
        target.dataset.sig = spec.sig;
        const content = [spec.build()].flat().filter((part) => part !== null && part !== undefined);
        target.replaceChildren(...content);
      }
    });
    decorate(row, item);
    const expected = previous === null ? tbody.firstElementChild : previous.nextElementSibling;
    if (row !== expected) tbody.insertBefore(row, expected);
    previous = row;
  }
  for (const row of existing.values()) row.remove();
}
