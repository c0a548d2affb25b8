import type { JobTree, TreeNode, VisualJob } from './job-tree.js';
import { TASK_STATE_COLORS } from './task-state-colors.js';

const NODE_WIDTH = 200;
const NODE_HEIGHT = 60;
const H_GAP = 24;
const V_GAP = 56;
const MARGIN = 24;
const TITLE_HEIGHT = 28;
const LINE_HEIGHT = 16;
const CHARS_PER_LINE = 26;
const DISPLAY_LINES = 2;
const EDGE_COLOR = '#4b5563';
const FONT = 'ui-sans-serif, system-ui, sans-serif';

// XML 1.0 cannot hold C0 controls other than tab and line breaks, U+FFFE/F or lone
// surrogates; C1 controls are allowed but discouraged, so all of them go.
const NOT_XML = /[\p{Cc}\p{Cs}\ufffe\uffff]/gu;
const XML_WHITESPACE = new Set(['\t', '\n', '\r']);
const CONTROL = /\p{Cc}/gu;
const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

interface Box {
  readonly x: number;
  readonly y: number;
}

/**
 * Draws a job tree as a standalone SVG document: a tidy tree with each task
 * centred above its subtasks, boxes coloured by state, solid arrows from
 * parent to subtask and dashed arrows from a dependency to its dependent.
 * The same tree always gives the same text.
 */
export function renderJobSvg(job: VisualJob, tree: JobTree): string {
  const widths = new Map<TreeNode, number>();
  const measure = (node: TreeNode): number => {
    const width = Math.max(NODE_WIDTH, span(node.children.map(measure)));
    widths.set(node, width);
    return width;
  };
  const forestWidth = span(tree.roots.map(measure));

  const boxes = new Map<TreeNode, Box>();
  const place = (node: TreeNode, left: number): void => {
    const width = widths.get(node) ?? NODE_WIDTH;
    const y = MARGIN + TITLE_HEIGHT + node.depth * (NODE_HEIGHT + V_GAP);
    boxes.set(node, { x: left + (width - NODE_WIDTH) / 2, y });
    let cursor = left + (width - span(node.children.map((child) => widths.get(child) ?? 0))) / 2;
    for (const child of node.children) {
      place(child, cursor);
      cursor += (widths.get(child) ?? 0) + H_GAP;
    }
  };
  let cursor = MARGIN;
  for (const root of tree.roots) {
    place(root, cursor);
    cursor += (widths.get(root) ?? 0) + H_GAP;
  }

  const depth = tree.nodes.reduce((deepest, node) => Math.max(deepest, node.depth + 1), 0);
  const dependencyRoom = tree.dependencies.length > 0 ? V_GAP / 2 : 0;
  const title = `${job.name} · ${job.state} · ${tree.nodes.length} task${tree.nodes.length === 1 ? '' : 's'}`;
  const width = Math.max(forestWidth, 240) + 2 * MARGIN;
  const height =
    2 * MARGIN +
    TITLE_HEIGHT +
    depth * NODE_HEIGHT +
    Math.max(depth - 1, 0) * V_GAP +
    dependencyRoom;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${FONT}" role="img" aria-label="${escapeXml(title)}">`,
    '<defs>',
    `<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${EDGE_COLOR}"/></marker>`,
    '</defs>',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text class="job-title" x="${MARGIN}" y="${MARGIN + 14}" font-size="15" font-weight="600" fill="#111827">${escapeXml(title)}</text>`,
  ];
  for (const node of tree.nodes) {
    const from = boxes.get(node);
    for (const child of node.children) {
      const to = boxes.get(child);
      if (from && to) out.push(edge(from, to));
    }
  }
  for (const [dependency, dependent] of tree.dependencies) {
    const from = boxes.get(dependency);
    const to = boxes.get(dependent);
    if (from && to) out.push(dependencyEdge(from, to));
  }
  for (const node of tree.nodes) {
    const box = boxes.get(node);
    if (box) out.push(...taskBox(node, box));
  }
  if (tree.nodes.length === 0) {
    out.push(
      `<text x="${MARGIN}" y="${MARGIN + TITLE_HEIGHT + 14}" font-size="13" fill="#6b7280">no tasks yet</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * Text made safe for XML content and attribute values: markup characters
 * escaped, characters XML cannot represent removed.
 *
 * @example
 * ```ts
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 * ```
 */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, (char) => (XML_WHITESPACE.has(char) ? char : ''))
    .replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

/**
 * A display text as at most two lines of about 26 characters, broken at
 * spaces where possible and at the display's own line breaks; an ellipsis
 * marks cut text.
 */
export function wrapDisplay(display: string): string[] {
  const lines: string[] = [];
  for (const paragraph of display.split(/\r\n|\r|\n/)) {
    let rest = Array.from(paragraph.replace(CONTROL, ' '));
    do {
      if (rest.length <= CHARS_PER_LINE) {
        lines.push(rest.join(''));
        break;
      }
      let cut = rest.lastIndexOf(' ', CHARS_PER_LINE);
      if (cut < CHARS_PER_LINE / 2) cut = CHARS_PER_LINE;
      lines.push(rest.slice(0, cut).join('').trimEnd());
      rest = rest.slice(cut);
      while (rest[0] === ' ') rest = rest.slice(1);
    } while (rest.length > 0);
  }
  if (lines.length <= DISPLAY_LINES) return lines;
  const kept = lines.slice(0, DISPLAY_LINES);
  const last = Array.from(kept[DISPLAY_LINES - 1] ?? '');
  kept[DISPLAY_LINES - 1] = `${last.slice(0, CHARS_PER_LINE - 1).join('')}…`;
  return kept;
}

function taskBox(node: TreeNode, box: Box): string[] {
  const { task } = node;
  const colors = TASK_STATE_COLORS[task.state] ?? TASK_STATE_COLORS.QUEUED;
  const lines = wrapDisplay(task.display);
  const centre = num(box.x + NODE_WIDTH / 2);
  const top = box.y + (NODE_HEIGHT - (lines.length * LINE_HEIGHT + 14)) / 2;
  const spans = lines.map(
    (line, index) =>
      `<tspan x="${centre}" y="${num(top + 12 + index * LINE_HEIGHT)}">${escapeXml(line)}</tspan>`,
  );
  return [
    `<g class="task task-${task.state.toLowerCase()}" data-task-id="${escapeXml(task.taskId)}" data-state="${escapeXml(task.state)}">`,
    `<title>${escapeXml(`${task.display} (${task.state})`)}</title>`,
    `<rect x="${num(box.x)}" y="${num(box.y)}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6" ry="6" fill="${colors.fill}" stroke="${colors.stroke}" stroke-width="1.5"/>`,
    `<text text-anchor="middle" font-size="13" fill="${colors.text}">${spans.join('')}</text>`,
    `<text x="${centre}" y="${num(top + 10 + lines.length * LINE_HEIGHT + 2)}" text-anchor="middle" font-size="10" letter-spacing="0.5" fill="${colors.text}">${escapeXml(task.state)}</text>`,
    '</g>',
  ];
}

function edge(from: Box, to: Box): string {
  const x1 = from.x + NODE_WIDTH / 2;
  const y1 = from.y + NODE_HEIGHT;
  const x2 = to.x + NODE_WIDTH / 2;
  const y2 = to.y;
  const middle = (y1 + y2) / 2;
  return `<path class="edge-subtask" d="M${num(x1)},${num(y1)} C${num(x1)},${num(middle)} ${num(x2)},${num(middle)} ${num(x2)},${num(y2)}" fill="none" stroke="${EDGE_COLOR}" stroke-width="1.5" marker-end="url(#arrow)"/>`;
}

// Dependencies join siblings (same row): a dashed curve below the row, from dependency to
// dependent, leaving and entering off-centre so it does not run along the subtask arrows.
function dependencyEdge(from: Box, to: Box): string {
  const rightward = to.x >= from.x;
  const x1 = from.x + NODE_WIDTH * (rightward ? 0.75 : 0.25);
  const y1 = from.y + NODE_HEIGHT;
  const x2 = to.x + NODE_WIDTH * (rightward ? 0.25 : 0.75);
  const y2 = to.y + NODE_HEIGHT;
  const below = Math.max(y1, y2) + V_GAP / 2;
  return `<path class="edge-dependency" d="M${num(x1)},${num(y1)} C${num(x1)},${num(below)} ${num(x2)},${num(below)} ${num(x2)},${num(y2)}" fill="none" stroke="${EDGE_COLOR}" stroke-width="1.5" stroke-dasharray="6 4" marker-end="url(#arrow)"/>`;
}

function span(widths: readonly number[]): number {
  return widths.length === 0
    ? 0
    : widths.reduce((sum, width) => sum + width, 0) + H_GAP * (widths.length - 1);
}

function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}
