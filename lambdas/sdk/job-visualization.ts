import { TASK_STATES, type TaskState } from '../core/jobs/task-state.js';
import { renderJobSvg } from './job-svg.js';
import {
  buildJobTree,
  type TreeNode,
  type VisualizationOptions,
  type VisualJob,
  type VisualTask,
} from './job-tree.js';
import { TASK_STATE_COLORS } from './task-state-colors.js';

// Mermaid reads these as markup or entity starts inside a quoted label; `#` too,
// because Mermaid's own entity syntax is `#name;`.
const MERMAID_ESCAPES: Readonly<Record<string, string>> = {
  '#': '#35;',
  '"': '#quot;',
  '&': '#amp;',
  '<': '#lt;',
  '>': '#gt;',
  '`': '#96;',
};
const CONTROL = /[\p{Cc}\p{Cs}]/gu;

/**
 * A job as a Mermaid flowchart: one node per task labelled with its display
 * and state and styled by a `classDef` per state; solid arrows from a task to
 * its subtasks, dashed arrows from a dependency to the task waiting for it.
 * Node ids are `t0`, `t1`, … in depth-first order, so the text is the same
 * for the same job whatever the order of `tasks`.
 *
 * @example
 * ```ts
 * jobToMermaid(job, tasks);
 * // ---
 * // title: "process-news (COMPLETED)"
 * // ---
 * // flowchart TD
 * //   t0["NewsWorkflow<br/>COMPUTED"]:::computed
 * //   …
 * //   t0 --> t1
 * //   t1 -.-> t2
 * ```
 */
export function jobToMermaid(
  job: VisualJob,
  tasks: readonly VisualTask[],
  options: VisualizationOptions = {},
): string {
  const tree = buildJobTree(job, tasks, options);
  const lines = [
    '---',
    `title: ${JSON.stringify(`${job.name} (${job.state})`.replace(CONTROL, ' '))}`,
    '---',
    'flowchart TD',
  ];
  for (const node of tree.nodes) {
    const label = `${escapeMermaid(node.task.display)}<br/>${node.task.state}`;
    lines.push(`  ${nodeId(node)}["${label}"]:::${stateClass(node.task.state)}`);
  }
  for (const node of tree.nodes) {
    for (const child of node.children) lines.push(`  ${nodeId(node)} --> ${nodeId(child)}`);
  }
  for (const [dependency, dependent] of tree.dependencies) {
    lines.push(`  ${nodeId(dependency)} -.-> ${nodeId(dependent)}`);
  }
  for (const state of TASK_STATES) {
    const colors = TASK_STATE_COLORS[state];
    lines.push(
      `  classDef ${stateClass(state)} fill:${colors.fill},stroke:${colors.stroke},color:${colors.text}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A job as a standalone SVG document (a tidy tree: subtasks below their
 * parent, boxes coloured by state, dashed dependency arrows). Deterministic:
 * the same job gives the same text. Write it to a `.svg` file or embed it.
 *
 * @example
 * ```ts
 * await writeFile('job.svg', jobToSvg(job, tasks));
 * ```
 */
export function jobToSvg(
  job: VisualJob,
  tasks: readonly VisualTask[],
  options: VisualizationOptions = {},
): string {
  return renderJobSvg(job, buildJobTree(job, tasks, options));
}

/**
 * Text made safe inside a quoted Mermaid label: markup and entity characters
 * become Mermaid entities, line breaks become `<br/>`, other control
 * characters spaces.
 *
 * @example
 * ```ts
 * escapeMermaid('a "b"\nc'); // 'a #quot;b#quot;<br/>c'
 * ```
 */
export function escapeMermaid(text: string): string {
  return text
    .replace(/[#"&<>`]/g, (char) => MERMAID_ESCAPES[char] ?? char)
    .replace(/\r\n|\r|\n/g, '<br/>')
    .replace(CONTROL, ' ');
}

function nodeId(node: TreeNode): string {
  return `t${node.index}`;
}

function stateClass(state: TaskState): string {
  return state.toLowerCase();
}
