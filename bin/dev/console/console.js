// The bucketflow console page: a view per location hash (#jobs, #job=ID,
// #clusters, #automations, #batches), each refreshed from the JSON API of the
// server that serves it every 2 s while the tab is visible.

import { clustersView } from './console-clusters.js';
import { $, tick } from './console-dom.js';
import { jobView } from './console-job.js';
import { jobsView } from './console-jobs.js';
import { automationsView, batchesView } from './console-tables.js';

const POLL_MS = 2000;
const TICK_MS = 1000;
const VIEWS = {
  jobs: jobsView,
  job: jobView,
  clusters: clustersView,
  automations: automationsView,
  batches: batchesView,
};

const state = { route: null, timer: undefined, polling: null };

function routeOf(hash) {
  const [name = '', query = ''] = hash.replace(/^#/, '').split('?');
  if (name.startsWith('job=')) return { name: 'job', id: decodeURIComponent(name.slice(4)) };
  return { name: name in VIEWS ? name : 'jobs', params: new URLSearchParams(query) };
}

function setStatus(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

function show(route) {
  for (const [name, view] of Object.entries(VIEWS)) $(view.section).hidden = name !== route.name;
  const tab = route.name === 'job' ? 'jobs' : route.name;
  for (const link of document.querySelectorAll('.nav a')) {
    if (link.dataset.view === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  VIEWS[route.name].enter?.(route);
}

/** Refreshes the current view now, then every POLL_MS while the page is visible. */
async function poll() {
  clearTimeout(state.timer);
  const route = state.route;
  const run = (async () => {
    try {
      await VIEWS[route.name].refresh(route);
      setStatus(`Updated ${new Date().toLocaleTimeString()}`);
    } catch (error) {
      // A request the API refuses (a bad filter) fails again until the user changes it.
      const refused = error.status >= 400 && error.status < 500;
      setStatus(refused ? error.message : `${error.message}. Retrying…`, true);
    }
  })();
  state.polling = run;
  await run;
  // A hidden tab stops polling; coming back refreshes at once (visibilitychange).
  if (state.polling === run && !document.hidden) state.timer = setTimeout(poll, POLL_MS);
}

function navigate() {
  const previous = state.route;
  state.route = routeOf(window.location.hash);
  show(state.route);
  poll();
  // A new view takes the focus to its heading; a filter change keeps it in the form.
  if (previous?.name !== state.route.name || state.route.name === 'job') {
    $(VIEWS[state.route.name].section).querySelector('h2')?.focus({ preventScroll: true });
  }
}

function start() {
  for (const view of Object.values(VIEWS)) view.start?.(poll);
  window.addEventListener('hashchange', navigate);
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) clearTimeout(state.timer);
    else poll();
  });
  setInterval(() => {
    if (!document.hidden) tick();
  }, TICK_MS);
  state.route = routeOf(window.location.hash);
  show(state.route);
  poll();
}

start();
