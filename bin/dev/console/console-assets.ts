import { readFile } from 'node:fs/promises';
import type { JobState, TaskState } from '../../../lambdas/core/jobs/task-state.js';
import { type StateColors, TASK_STATE_COLORS } from '../../../lambdas/sdk/task-state-colors.js';

/** A file the console serves, read once at start. */
export interface ConsoleAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/** The page's ES modules; console.js imports the others. */
const SCRIPTS = [
  'console.js',
  'console-dom.js',
  'console-jobs.js',
  'console-job.js',
  'console-clusters.js',
  'console-tables.js',
  'console-dead-letters.js',
] as const;

/** Job states drawn in the colour of the task state they correspond to. */
const JOB_STATE_COLORS: Readonly<Record<JobState, TaskState>> = {
  QUEUED: 'QUEUED',
  STARTED: 'RUNNING',
  COMPLETED: 'COMPUTED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
};

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="${TASK_STATE_COLORS.RUNNING.fill}"/><path d="M0 16 16 0v13a3 3 0 0 1-3 3z" fill="${TASK_STATE_COLORS.COMPUTED.fill}"/></svg>`;

/**
 * The page, its scripts and its stylesheet (files next to this module, no
 * build step; the two CSS files are served as one), plus the state colour rules generated from
 * {@link TASK_STATE_COLORS} so that badges match the task tree diagrams.
 *
 * @example
 * ```ts
 * const assets = await loadConsoleAssets();
 * assets.get('/')?.contentType; // 'text/html; charset=utf-8'
 * ```
 */
export async function loadConsoleAssets(): Promise<ReadonlyMap<string, ConsoleAsset>> {
  const read = (name: string) => readFile(new URL(`./${name}`, import.meta.url));
  const [html, css, viewsCss, ...scripts] = await Promise.all(
    ['console.html', 'console.css', 'console-views.css', ...SCRIPTS].map(read),
  );
  const assets = new Map<string, ConsoleAsset>([
    ['/', { contentType: 'text/html; charset=utf-8', body: html as Buffer }],
    [
      '/console.css',
      {
        contentType: 'text/css; charset=utf-8',
        body: Buffer.concat([css as Buffer, viewsCss as Buffer, Buffer.from(stateColorCss())]),
      },
    ],
    ['/favicon.svg', { contentType: 'image/svg+xml', body: Buffer.from(FAVICON) }],
  ]);
  SCRIPTS.forEach((name, index) => {
    assets.set(`/${name}`, {
      contentType: 'text/javascript; charset=utf-8',
      body: scripts[index] as Buffer,
    });
  });
  return assets;
}

/**
 * One rule per task and job state, `.state-<STATE>`, setting the custom
 * properties `--state-fill`, `--state-stroke` and `--state-text`.
 *
 * @example
 * ```ts
 * stateColorCss(); // '.state-QUEUED { --state-fill: #fcd9a0; … }\n…'
 * ```
 */
export function stateColorCss(): string {
  const rule = (state: string, colors: StateColors) =>
    `.state-${state} { --state-fill: ${colors.fill}; --state-stroke: ${colors.stroke}; --state-text: ${colors.text}; }`;
  const tasks = Object.entries(TASK_STATE_COLORS).map(([state, colors]) => rule(state, colors));
  const jobs = Object.entries(JOB_STATE_COLORS)
    .filter(([state]) => !(state in TASK_STATE_COLORS))
    .map(([state, taskState]) => rule(state, TASK_STATE_COLORS[taskState]));
  return `\n/* Generated from TASK_STATE_COLORS (lambdas/sdk/task-state-colors.ts). */\n${[...tasks, ...jobs].join('\n')}\n`;
}
