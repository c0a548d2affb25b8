import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_STATE_COLORS } from '../../../lambdas/sdk/task-state-colors.js';
import { launchChromium, openPage, rgb } from './console-browser.js';
import { type ConsoleFixture, createConsoleFixture, Greet, RUNNER_ID } from './console-fixture.js';

/** Long enough for a 2 s poll on a loaded machine. */
const POLL = { timeout: 5_000 };

describe('console page in Chromium', () => {
  let fixture: ConsoleFixture;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  const jobRows = () => page.locator('#jobs-table tbody tr');
  const jobNames = () => page.locator('#jobs-table tbody tr .job-link').allInnerTexts();
  async function visit(hash: string, ready: string): Promise<void> {
    await page.goto(new URL(hash, fixture.server.url).href);
    await page.locator(ready).first().waitFor();
  }

  beforeAll(async () => {
    fixture = await createConsoleFixture();
    browser = await launchChromium();
    ({ page, errors: pageErrors } = await openPage(browser, 1400));
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  it('lists jobs with state badges in the task state colours, triggers and errors', async () => {
    // Act
    await visit('/#jobs', '#jobs-table tbody tr');

    // Assess
    const row = jobRows().filter({ hasText: 'parent-job' });
    expect(await row.locator('.badge').innerText()).toBe('COMPLETED');
    expect(
      await page.evaluate(
        `getComputedStyle(document.querySelector('#jobs-table tr[data-key="${fixture.seed.completed.jobId}"] .badge')).backgroundColor`,
      ),
    ).toBe(rgb(TASK_STATE_COLORS.COMPUTED.fill));
    expect(await row.innerText()).toContain('3 of 3 computed');
    expect(await jobRows().filter({ hasText: 'from-automation' }).innerText()).toContain(
      'text-uploads',
    );
    expect(
      await jobRows().filter({ hasText: 'flaky-job' }).locator('.error-cell').innerText(),
    ).toContain('ENOSPC: no space left on device');
    expect(await page.locator('nav a[aria-current="page"]').innerText()).toBe('Jobs');
  });

  it('shows hostile object keys as text, never as markup', async () => {
    // Prepare
    const row = jobRows().filter({ hasText: 'hostile-key' });

    // Act
    const trigger = await row.locator('.trigger-cell .mono').innerText();

    // Assess
    expect(trigger).toBe('in box/<script>alert(1)</script> a+b%20 ü\\x0Aline.txt');
    expect(await page.locator('#view-jobs script').count()).toBe(0);
  });

  it('filters jobs by state and automation, and searches by object key', async () => {
    // Prepare
    await visit('/#jobs', '#jobs-table tbody tr');

    // Act
    await page.locator('#filter-state').selectOption('FAILED');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(jobNames, POLL).toEqual(['flaky-job']);
    const failedHash = new URL(page.url()).hash;
    await page.locator('#filter-state').selectOption('');
    await page.locator('#filter-automation').selectOption({ label: 'text-uploads' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(jobNames, POLL).toEqual(['from-automation', 'hostile-key']);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('#filter-q').fill('tiles/B');
    await page.locator('#filter-q').press('Enter');

    // Assess
    await expect.poll(jobNames, POLL).toEqual(['batch-closed']);
    expect(failedHash).toBe('#jobs?state=FAILED');
    expect(await page.locator('#filter-automation').inputValue()).toBe('');
  });

  it('says which filter the API refused and how to fix it, instead of listing jobs', async () => {
    // Act
    await page.goto(new URL('/#jobs?state=done', fixture.server.url).href);

    // Assess
    const message =
      "state: 'done' is not a job state (use one or more of QUEUED, STARTED, COMPLETED, FAILED, CANCELLED, comma-separated)";
    await expect.poll(() => page.locator('#jobs-empty').innerText(), POLL).toBe(message);
    expect(await page.locator('#status').innerText()).toBe(message);
    expect(await jobRows().count()).toBe(0);
  });

  it('pages to older and newer jobs', async () => {
    // Prepare
    await visit('/#jobs?limit=3', '#jobs-table tbody tr');
    await expect.poll(() => jobRows().count()).toBe(3);
    const first = await jobNames();

    // Act
    await page.getByRole('button', { name: 'Older →' }).click();
    await expect.poll(jobNames, POLL).not.toEqual(first);
    const second = await jobNames();
    await page.getByRole('button', { name: '← Newer' }).click();

    // Assess
    await expect.poll(jobNames, POLL).toEqual(first);
    expect(second).toHaveLength(3);
    expect(second.some((name) => first.includes(name))).toBe(false);
  });

  it('folds a long error to two lines and unfolds it on request', async () => {
    // Prepare
    await visit('/#jobs', '#jobs-table tbody tr');
    const fold = jobRows().filter({ hasText: 'flaky-job' }).locator('.error-cell details');
    const folded = await fold.boundingBox();

    // Act
    await fold.locator('summary').click();

    // Assess
    const body = fold.locator('.fold-body');
    expect(await body.isVisible()).toBe(true);
    expect(await body.innerText()).toContain('second line of the error');
    expect((await fold.boundingBox())?.height).toBeGreaterThan(folded?.height ?? 0);
    expect(folded?.height).toBeLessThan(80);
  });

  it("shows a job's task tree, trigger, input, attempts and log when it is chosen", async () => {
    // Act
    await page.getByRole('link', { name: 'flaky-job' }).click();
    await page.locator('#attempts-table tbody tr').nth(1).waitFor();

    // Assess
    expect(await page.locator('#job-heading').innerText()).toBe('Job flaky-job');
    expect(page.url()).toContain(`#job=${fixture.seed.failed.jobId}`);
    expect(await page.locator('#job-trigger-none').isVisible()).toBe(true);
    expect(await page.locator('#job-input').innerText()).toBe('{\n  "disk": "/dev/sda1"\n}');
    expect(await page.locator('#job-tree svg g.task[data-state="FAILED"]').count()).toBe(1);
    const attempts = page.locator('#attempts-table tbody tr');
    expect(await attempts.count()).toBe(2);
    expect(await attempts.nth(1).innerText()).toMatch(
      /attempt 2[\s\S]*\d+ ms[\s\S]*failed[\s\S]*ENOSPC/,
    );
    const logs = await page.locator('#logs-table tbody').innerText();
    expect(logs).toContain('writing the cache');
    expect(logs).toContain('{"disk":"/dev/sda1"}');
    expect(await page.getByRole('button', { name: 'Retry job' }).isEnabled()).toBe(true);
  });

  it('shows the trigger of a storage job with its key and a display with a line break', async () => {
    // Act
    await visit(`/#job=${fixture.seed.keyed.jobId}`, '#job-trigger dd');

    // Assess
    const trigger = await page.locator('#job-trigger').innerText();
    expect(trigger).toContain('in box/<script>alert(1)</script> a+b%20 ü\\x0Aline.txt');
    expect(trigger).toContain('12 bytes');
    const name = page.locator('#tasks-table tbody tr .task-name').first();
    expect(await name.innerText()).toMatch(/^first line\n<b>second<\/b> line/);
    expect(await page.locator('#attempts-empty').isVisible()).toBe(true);
  });

  it('lists the members of a batch job', async () => {
    // Act
    await visit(`/#job=${fixture.seed.batched.jobId}`, '#job-members li');

    // Assess
    expect(await page.locator('#job-members li').allInnerTexts()).toEqual([
      'tiles/a.tif',
      'tiles/b.tif',
    ]);
    expect(await page.locator('#job-trigger').innerText()).toContain('count (2 objects)');
  });

  it('shows clusters with queue depth, DLQ depth and the runners seen recently', async () => {
    // Act
    await visit('/#clusters', '#clusters .cluster');

    // Assess
    const standard = page.locator('.cluster[data-slug="default"]');
    expect(await standard.locator('[data-dlq]').innerText()).toBe('DLQ: 0');
    expect(await standard.innerText()).toContain(RUNNER_ID);
    expect(await standard.innerText()).toContain('console/Greet@v1.0');
    const idle = page.locator(`.cluster[data-slug="${fixture.seed.waiting.cluster}"]`);
    const route = idle.locator('tbody tr', { hasText: 'console/Greet@v1.x' });
    expect(await route.locator('td').first().innerText()).toBe('1');
    expect(await route.innerText()).toContain('none: its tasks wait until a runner registers it');
  });

  it('shows each cron automation with its next fire time', async () => {
    // Act
    await visit('/#automations', '#automations-table tbody tr');

    // Assess
    const rows = page.locator('#automations-table tbody tr');
    expect(await rows.filter({ hasText: 'every-minute' }).innerText()).toMatch(/in \d+ s/);
    expect(await rows.filter({ hasText: 'paused-report' }).innerText()).toContain('paused');
    expect(await page.locator('#automations-heading').innerText()).toBe(
      'Automations (4 automations)',
    );
  });

  it('shows the open batch with its count, and its age ticks', async () => {
    // Prepare
    await visit('/#batches', '#batches-table tbody tr');
    const row = page.locator('#batches-table tbody tr', { hasText: 'scene-packages' });
    const age = row.locator('td').nth(3);
    const before = await age.innerText();

    // Act
    await expect.poll(() => age.innerText(), { timeout: 5_000 }).not.toBe(before);

    // Assess
    expect(await row.locator('.batch-count').innerText()).toBe('3 of 5');
    expect(await row.innerText()).toMatch(/in 9 min \d+ s/);
  });

  it('picks up a newly submitted job by polling, and stops polling while the tab is hidden', async () => {
    // Prepare
    await visit('/#jobs', '#jobs-table tbody tr');
    const polls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/jobs') polls.push(request.url());
    });
    const setHidden = (hidden: boolean) =>
      page.evaluate(
        `Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} });
        document.dispatchEvent(new Event('visibilitychange'));`,
      );

    // Act
    await setHidden(true);
    await page.waitForTimeout(500);
    const hiddenAt = polls.length;
    await fixture.client.jobs.submit('late-arrival', new Greet({ who: 'late' }));
    await page.waitForTimeout(4_500);
    const whileHidden = polls.length - hiddenAt;
    await setHidden(false);

    // Assess
    await expect.poll(jobNames, { timeout: 5_000 }).toContain('late-arrival');
    expect(whileHidden).toBe(0);
    expect((await jobNames())[0]).toBe('late-arrival');
  });

  it('cancels a queued job from its job view', async () => {
    // Prepare
    await visit(`/#job=${fixture.seed.waiting.jobId}`, '#tasks-table tbody tr');
    const cancel = page.getByRole('button', { name: 'Cancel job' });
    await expect.poll(() => cancel.isEnabled(), { timeout: 5_000 }).toBe(true);

    // Act
    await cancel.click();

    // Assess
    const badge = page.locator('#job-facts .badge');
    await expect.poll(() => badge.innerText(), { timeout: 5_000 }).toBe('CANCELLED');
    expect(await page.locator('#job-notice').innerText()).toBe(
      'Cancelled 1 queued task(s) of waiting-job.',
    );
    expect((await fixture.client.jobs.find(fixture.seed.waiting.jobId))?.state).toBe('CANCELLED');
  });

  it('runs without script errors or content security policy violations', () => {
    // Assess: Chromium logs the refused filter's 400 itself; that one is expected.
    const refused = /^Failed to load resource: the server responded with a status of 400/;
    expect(pageErrors.filter((error) => !refused.test(error))).toEqual([]);
    expect(pageErrors.filter((error) => refused.test(error)).length).toBeGreaterThan(0);
  });
});
