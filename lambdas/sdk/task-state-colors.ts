import type { TaskState } from '../core/jobs/task-state.js';

/** Fill, border and text colour of a task box. */
export interface StateColors {
  readonly fill: string;
  readonly stroke: string;
  readonly text: string;
}

/**
 * Task state colours of the job diagrams, after Tilebox's documented scheme
 * (queued salmon-yellow, running blue, computed green, failed red); Tilebox
 * gives none for cancelled, which is grey here.
 *
 * @example
 * ```ts
 * TASK_STATE_COLORS.FAILED.fill; // '#f8b4b4'
 * ```
 */
export const TASK_STATE_COLORS: Readonly<Record<TaskState, StateColors>> = Object.freeze({
  QUEUED: { fill: '#fcd9a0', stroke: '#c77d1a', text: '#3d2a0a' },
  RUNNING: { fill: '#a4cafe', stroke: '#1c64f2', text: '#0b2a66' },
  COMPUTED: { fill: '#a7e3b9', stroke: '#1f8a4c', text: '#0b3b1f' },
  FAILED: { fill: '#f8b4b4', stroke: '#c81e1e', text: '#5c0b0b' },
  CANCELLED: { fill: '#d2d6dc', stroke: '#6b7280', text: '#1f2937' },
});
