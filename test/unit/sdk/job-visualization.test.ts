import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TASK_STATES, type TaskState } from '../../../lambdas/core/jobs/task-state.js';
import { VisualizationTooLargeError } from '../../../lambdas/sdk/errors.js';
import { escapeXml, wrapDisplay } from '../../../lambdas/sdk/job-svg.js';
import type { VisualJob, VisualTask } from '../../../lambdas/sdk/job-tree.js';
import { escapeMermaid, jobToMermaid, jobToSvg } from '../../../lambdas/sdk/job-visualization.js';

const task = (
  taskId: string,
  parentId: string | null,
  display: string,
  state: TaskState,
  dependsOn: string[] = [],
  createdAt = 0,
): VisualTask => ({ taskId, parentId, display, state, dependsOn, createdAt });

const job = (rootTaskIds: string[], name = 'demo'): VisualJob => ({
  jobId: '01JOB',
  name,
  state: 'STARTED',
  rootTaskIds,
});

const fanOut = [
  task('r', null, 'Root(5)', 'COMPUTED'),
  ...[1, 2, 3, 4, 5].map((n) =>
    task(`c${n}`, 'r', `Leaf Nr. ${n}`, n === 2 ? 'FAILED' : 'QUEUED', [], n),
  ),
];

// NewsWorkflow → FetchNews (which fans out to two pages), PrintHeadlines and MostFrequentAuthors,
// both of which wait for FetchNews.
const news = [
  task('n0', null, 'NewsWorkflow', 'COMPUTED', [], 0),
  task('n1', 'n0', 'FetchNews', 'COMPUTED', [], 1),
  task('n2', 'n0', 'PrintHeadlines', 'RUNNING', ['n1'], 2),
  task('n3', 'n0', 'MostFrequentAuthors', 'QUEUED', ['n1'], 3),
  task('n4', 'n1', 'FetchPage 1', 'COMPUTED', [], 4),
  task('n5', 'n1', 'FetchPage 2', 'CANCELLED', [], 5),
];

/** Checks that `svg` is well-formed XML (balanced tags, quoted attributes, escaped text) and counts elements. */
function parseXml(svg: string): Map<string, number> {
  const counts = new Map<string, number>();
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+);/y;
  let at = 0;
  while (at < svg.length) {
    const char = svg[at];
    if (char === '<') {
      tag.lastIndex = at;
      const match = tag.exec(svg);
      if (!match) throw new Error(`malformed tag at ${at}: ${svg.slice(at, at + 40)}`);
      const [, closing, name = '', attributes = '', selfClosing] = match;
      for (const value of attributes.matchAll(/="([^"]*)"/g)) checkText(value[1] ?? '', entity);
      if (closing) {
        if (stack.pop() !== name) throw new Error(`unbalanced </${name}> at ${at}`);
      } else {
        counts.set(name, (counts.get(name) ?? 0) + 1);
        if (!selfClosing) stack.push(name);
      }
      at = tag.lastIndex;
    } else {
      const next = svg.indexOf('<', at);
      const end = next < 0 ? svg.length : next;
      checkText(svg.slice(at, end), entity);
      at = end;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return counts;
}

function checkText(text: string, entity: RegExp): void {
  if (text.includes('>')) throw new Error(`unescaped '>' in ${JSON.stringify(text)}`);
  for (let index = text.indexOf('&'); index >= 0; index = text.indexOf('&', index + 1)) {
    entity.lastIndex = index;
    if (!entity.test(text)) throw new Error(`bare '&' in ${JSON.stringify(text)}`);
  }
}

describe('jobToMermaid', () => {
  it('draws a parent with five subtasks as six nodes and five solid edges', () => {
    // Act
    const lines = jobToMermaid(job(['r']), fanOut)
      .trimEnd()
      .split('\n');

    // Assess
    expect(lines.slice(0, 4)).toEqual(['---', 'title: "demo (STARTED)"', '---', 'flowchart TD']);
    expect(lines.filter((line) => /^ {2}t\d+\["/.test(line))).toEqual([
      '  t0["Root(5)<br/>COMPUTED"]:::computed',
      '  t1["Leaf Nr. 1<br/>QUEUED"]:::queued',
      '  t2["Leaf Nr. 2<br/>FAILED"]:::failed',
      '  t3["Leaf Nr. 3<br/>QUEUED"]:::queued',
      '  t4["Leaf Nr. 4<br/>QUEUED"]:::queued',
      '  t5["Leaf Nr. 5<br/>QUEUED"]:::queued',
    ]);
    expect(lines.filter((line) => line.includes('-->'))).toEqual([
      '  t0 --> t1',
      '  t0 --> t2',
      '  t0 --> t3',
      '  t0 --> t4',
      '  t0 --> t5',
    ]);
    expect(lines.some((line) => line.includes('-.->'))).toBe(false);
    expect(lines.filter((line) => line.startsWith('  classDef '))).toHaveLength(TASK_STATES.length);
  });

  it('draws news-style dependencies as dashed edges from the dependency to its dependents', () => {
    // Act
    const text = jobToMermaid(job(['n0']), news);

    // Assess
    const ids = Object.fromEntries(
      [...text.matchAll(/^ {2}(t\d+)\["([^<]+)<br\/>/gm)].map((match) => [match[2], match[1]]),
    );
    expect(ids).toEqual({
      NewsWorkflow: 't0',
      FetchNews: 't1',
      'FetchPage 1': 't2',
      'FetchPage 2': 't3',
      PrintHeadlines: 't4',
      MostFrequentAuthors: 't5',
    });
    expect(text.match(/^ {2}t\d+ --> t\d+$/gm)).toEqual([
      '  t0 --> t1',
      '  t0 --> t4',
      '  t0 --> t5',
      '  t1 --> t2',
      '  t1 --> t3',
    ]);
    expect(text.match(/^ {2}t\d+ -\.-> t\d+$/gm)).toEqual(['  t1 -.-> t4', '  t1 -.-> t5']);
    expect(text).toContain('classDef cancelled fill:');
  });

  it('escapes quotes, markup and entity characters in displays', () => {
    // Prepare
    const tasks = [task('a', null, 'say "hi" <b> & #1\nnext', 'RUNNING')];

    // Act
    const text = jobToMermaid(job(['a'], 'quote " job'), tasks);

    // Assess
    expect(text).toContain('t0["say #quot;hi#quot; #lt;b#gt; #amp; #35;1<br/>next<br/>RUNNING"]');
    expect(text).toContain('title: "quote \\" job (STARTED)"');
  });

  it('gives the same text whatever the order of the tasks', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(news, { minLength: news.length }), (shuffled) => {
        expect(jobToMermaid(job(['n0']), shuffled)).toBe(jobToMermaid(job(['n0']), news));
      }),
    );
  });

  it('refuses jobs larger than the limit unless asked', () => {
    // Prepare
    const many = Array.from({ length: 201 }, (_, index) => task(`t${index}`, null, 'T', 'QUEUED'));

    // Act
    const act = () => jobToMermaid(job([]), many);

    // Assess
    expect(act).toThrow(VisualizationTooLargeError);
    expect(jobToMermaid(job([]), many, { maxTasks: 201 })).toContain('t200[');
  });
});

describe('jobToSvg', () => {
  it('is well-formed and draws one box per task', () => {
    // Act
    const svg = jobToSvg(job(['n0']), news);

    // Assess
    const counts = parseXml(svg);
    expect(counts.get('svg')).toBe(1);
    expect(counts.get('rect')).toBe(news.length + 1);
    expect(svg.match(/<g class="task /g)).toHaveLength(news.length);
    expect(svg.match(/class="edge-subtask"/g)).toHaveLength(5);
    expect(svg.match(/class="edge-dependency"[^>]*stroke-dasharray/g)).toHaveLength(2);
  });

  it('places subtasks below their parent and colours boxes by state', () => {
    // Act
    const svg = jobToSvg(job(['r']), fanOut);

    // Assess
    const boxes = [
      ...svg.matchAll(
        /data-task-id="(\w+)"[\s\S]*?<rect x="([\d.]+)" y="([\d.]+)"[^>]*fill="(#\w+)"/g,
      ),
    ];
    const y = Object.fromEntries(boxes.map((match) => [match[1], Number(match[3])]));
    const x = boxes.filter((match) => match[1] !== 'r').map((match) => Number(match[2]));
    expect(y.c1).toBeGreaterThan(y.r ?? Number.POSITIVE_INFINITY);
    expect(new Set(boxes.slice(1).map((match) => y[match[1] ?? '']))).toEqual(new Set([y.c1]));
    expect(x).toEqual([...x].sort((a, b) => a - b));
    expect(boxes.find((match) => match[1] === 'c2')?.[4]).toBe('#f8b4b4');
  });

  it('escapes display text for XML', () => {
    // Act
    const svg = jobToSvg(job(['a'], 'a&b'), [task('a', null, `<script>"x" & 'y'`, 'QUEUED')]);

    // Assess
    expect(() => parseXml(svg)).not.toThrow();
    expect(svg).toContain('&lt;script&gt;&quot;x&quot; &amp; &apos;y&apos;');
    expect(svg).not.toContain('<script>');
  });

  it('stays well-formed with one box per task for any job tree and any display text', () => {
    const forest = fc
      .array(
        fc.record({
          parent: fc.nat(),
          isRoot: fc.boolean(),
          display: fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }),
          state: fc.constantFrom(...TASK_STATES),
          dependsOnPrevious: fc.boolean(),
        }),
        { minLength: 1, maxLength: 40 },
      )
      .map((rows) =>
        rows.map((row, index) => {
          const parentId = index === 0 || row.isRoot ? null : `x${row.parent % index}`;
          return task(`x${index}`, parentId, row.display, row.state, [], index);
        }),
      );
    fc.assert(
      fc.property(forest, (tasks) => {
        // Act
        const svg = jobToSvg(job([]), tasks);

        // Assess
        expect(parseXml(svg).get('g')).toBe(tasks.length);
        expect(jobToMermaid(job([]), tasks).match(/^ {2}t\d+\["/gm)).toHaveLength(tasks.length);
      }),
    );
  });

  it('draws an empty job', () => {
    expect(parseXml(jobToSvg(job([]), [])).get('g')).toBeUndefined();
  });
});

describe('escapeXml', () => {
  it('removes characters XML cannot hold', () => {
    expect(escapeXml('a\u0000b\u0007c\ud800d')).toBe('abcd');
  });
});

describe('escapeMermaid', () => {
  it('turns line breaks into <br/> and other controls into spaces', () => {
    expect(escapeMermaid('a\r\nb\tc')).toBe('a<br/>b c');
  });
});

describe('wrapDisplay', () => {
  it('breaks at spaces, honours line breaks and marks cut text', () => {
    expect(wrapDisplay('short')).toEqual(['short']);
    expect(wrapDisplay('one\ntwo')).toEqual(['one', 'two']);
    expect(wrapDisplay('alpha beta gamma delta epsilon zeta eta theta iota')).toEqual([
      'alpha beta gamma delta',
      'epsilon zeta eta theta…',
    ]);
  });
});
