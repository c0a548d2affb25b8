import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from './console-browser.js';
import { type ConsoleFixture, createConsoleFixture } from './console-fixture.js';

/** The widths the issue names: a laptop and a desktop screen. */
const WIDTHS = [1400, 1920] as const;

/** Set to a path (e.g. docs/images/console-job-view.png) to save the README's job view screenshot. */
const README_SCREENSHOT = process.env.BUCKETFLOW_README_SCREENSHOT;

interface Overflow {
  readonly scrollWidth: number;
  readonly innerWidth: number;
  /** Cells whose content is wider than the cell, or that stick out of their table. */
  readonly cells: readonly string[];
  /** Tables wider than their scroll box. */
  readonly tables: readonly string[];
}

// Runs in the page: a string, since the test's TypeScript has no DOM types.
const MEASURE = `(() => {
  const describe = (node) => (node.closest('table')?.id || node.closest('section')?.id || '?') + ': ' + node.textContent.trim().slice(0, 60);
  const cells = [];
  // A cell, or a box inside it (a folded head, an unfolded error), wider than itself: cut off or scrolling.
  const overflows = (node) => node.clientWidth > 0 && node.scrollWidth > node.clientWidth + 1;
  for (const cell of document.querySelectorAll('td, th')) {
    if (cell.offsetParent === null) continue;
    const table = cell.closest('table').getBoundingClientRect();
    const box = cell.getBoundingClientRect();
    const inside = box.right <= table.right + 1 && box.left >= table.left - 1;
    if (!inside || overflows(cell) || [...cell.querySelectorAll('*')].some(overflows)) {
      cells.push(describe(cell));
    }
  }
  const tables = [...document.querySelectorAll('.table-scroll')]
    .filter((box) => box.offsetParent !== null && box.scrollWidth > box.clientWidth + 1)
    .map((box) => box.querySelector('table')?.id ?? '?');
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, cells, tables };
})()`;

describe('console layout in Chromium', () => {
  let fixture: ConsoleFixture;
  let browser: Browser;
  let shots: string;

  const views = () => [
    { name: 'jobs', hash: '#jobs', ready: '#jobs-table tbody tr .error-cell details' },
    { name: 'job-view', hash: `#job=${fixture.seed.failed.jobId}`, ready: '#logs-table tbody tr' },
    { name: 'storage-job', hash: `#job=${fixture.seed.keyed.jobId}`, ready: '#job-trigger dd' },
    { name: 'batch-job', hash: `#job=${fixture.seed.batched.jobId}`, ready: '#job-members li' },
    { name: 'clusters', hash: '#clusters', ready: '#clusters .cluster tbody tr' },
    { name: 'automations', hash: '#automations', ready: '#automations-table tbody tr' },
    { name: 'batches', hash: '#batches', ready: '#batches-table tbody tr' },
  ];

  async function measure(page: Page): Promise<Overflow> {
    return (await page.evaluate(MEASURE)) as Overflow;
  }

  beforeAll(async () => {
    fixture = await createConsoleFixture();
    browser = await launchChromium();
    // Screenshots are for looking at, not for the repository: a fresh temp dir each run.
    shots = await mkdtemp(join(tmpdir(), 'bucketflow-console-shots-'));
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
    if (shots && !process.env.BUCKETFLOW_KEEP_SCREENSHOTS)
      await rm(shots, { recursive: true, force: true });
  });

  for (const width of WIDTHS) {
    it(`fits every view into ${width} px, folded and unfolded, and screenshots it`, async () => {
      // Prepare
      const { page, errors } = await openPage(browser, width);

      for (const view of views()) {
        // Act
        await page.goto(new URL(view.hash, fixture.server.url).href);
        await page.locator(view.ready).first().waitFor();
        const folded = await measure(page);
        const path = join(shots, `${view.name}-${width}.png`);
        await page.screenshot({ path, fullPage: true });
        if (README_SCREENSHOT && view.name === 'job-view' && width === 1400) {
          await page.screenshot({ path: resolve(README_SCREENSHOT), fullPage: true });
        }
        await page.evaluate(
          `document.querySelectorAll('details').forEach((d) => { d.open = true; })`,
        );
        const unfolded = await measure(page);

        // Assess
        for (const [state, result] of [
          ['folded', folded],
          ['unfolded', unfolded],
        ] as const) {
          expect({ view: view.name, state, ...result }).toEqual({
            view: view.name,
            state,
            scrollWidth: expect.any(Number),
            innerWidth: width,
            cells: [],
            tables: [],
          });
          expect(result.scrollWidth).toBeLessThanOrEqual(width);
        }
        expect((await stat(path)).size).toBeGreaterThan(10_000);
      }
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
