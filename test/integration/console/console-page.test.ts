import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_STATE_COLORS } from '../../../lambdas/sdk/task-state-colors.js';
import { type ConsoleFixture, createConsoleFixture, Greet } from './console-fixture.js';

const CHROMIUM = process.env.BUCKETFLOW_CHROMIUM ?? '/usr/bin/chromium';

/** `#rrggbb` as the `rgb(r, g, b)` that getComputedStyle reports. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

describe('console page in Chromium', () => {
  let fixture: ConsoleFixture;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it with 'apt-get install chromium' (or set BUCKETFLOW_CHROMIUM to its path)`,
      );
    }
    fixture = await createConsoleFixture();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    // Script errors and CSP violations both reach the console as errors.
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(fixture.server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  it('lists the automations with their kind, triggers and status', async () => {
    // Prepare
    const rows = page.locator('#automations-table tbody tr');

    // Act
    await rows.nth(3).waitFor();

    // Assess
    const text = await page.locator('#automations-table').innerText();
    expect(text).toContain('text-uploads');
    expect(text).toContain('demo: **.txt');
    expect(text).toContain('scene-packages');
    expect(text).toContain('every-minute');
    expect(await rows.filter({ hasText: 'paused-report' }).innerText()).toContain('disabled');
    expect(await page.getByRole('heading', { level: 2, name: /Automations/ }).innerText()).toBe(
      'Automations (4 automations)',
    );
  });

  it('shows the open batch with its count, and its age ticks', async () => {
    // Prepare
    const row = page.locator('#batches-table tbody tr', { hasText: 'scene-packages' });
    await row.waitFor();
    const age = row.locator('td').nth(3);
    const before = await age.innerText();

    // Act
    await expect.poll(() => age.innerText(), { timeout: 5_000 }).not.toBe(before);

    // Assess
    expect(await row.locator('.batch-count').innerText()).toBe('3 of 5');
    expect(await row.innerText()).toContain('scenes/');
    expect(await row.innerText()).toMatch(/in 9 min \d+ s/);
  });

  it('lists recent jobs with state badges in the task state colours', async () => {
    // Prepare
    const row = page.locator('#jobs-table tbody tr', { hasText: 'parent-job' });
    await row.waitFor();
    const badge = row.locator('.badge');

    // Act
    const colour = await page.evaluate(
      `getComputedStyle(document.querySelector('#jobs-table tr[data-key="${fixture.seed.completed.jobId}"] .badge')).backgroundColor`,
    );

    // Assess
    expect(await badge.innerText()).toBe('COMPLETED');
    expect(colour).toBe(rgb(TASK_STATE_COLORS.COMPUTED.fill));
    expect(await row.innerText()).toContain('3 of 3 computed');
    const automated = page.locator('#jobs-table tbody tr', { hasText: 'from-automation' });
    expect(await automated.innerText()).toContain('text-uploads');
  });

  it('shows the task tree and the tasks table of a job when it is clicked', async () => {
    // Prepare
    const detail = page.locator('#job-detail');

    // Act
    await page.getByRole('button', { name: 'parent-job' }).click();
    await page.locator('#job-tree svg').waitFor();

    // Assess
    expect(await detail.getByRole('heading', { level: 2 }).innerText()).toBe('Job parent-job');
    expect(page.url()).toContain(`#job=${fixture.seed.completed.jobId}`);
    expect(await page.locator('#job-tree svg g.task').count()).toBe(3);
    expect(await page.locator('#job-tree svg g.task[data-state="COMPUTED"]').count()).toBe(3);
    const tasks = page.locator('#tasks-table tbody tr');
    expect(await tasks.count()).toBe(3);
    expect(await tasks.nth(0).innerText()).toMatch(/console\/Parent@v1\.2\s+1/);
    expect(await tasks.nth(1).innerText()).toContain('Greet alice');
    expect(await tasks.nth(2).innerText()).toContain('Greet bob');
    expect(await tasks.nth(2).locator('.badge').innerText()).toBe('COMPUTED');
    expect(await page.getByRole('button', { name: 'Cancel job' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Retry job' }).isDisabled()).toBe(true);
  });

  it('picks up a newly submitted job by polling', async () => {
    // Prepare
    const rows = page.locator('#jobs-table tbody tr', { hasText: 'late-arrival' });

    // Act
    await fixture.client.jobs.submit('late-arrival', new Greet({ who: 'late' }));

    // Assess
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('#jobs-table tbody tr').first().innerText()).toContain(
      'late-arrival',
    );
  });

  it('cancels a queued job from its detail view', async () => {
    // Prepare
    await page.getByRole('button', { name: 'waiting-job' }).click();
    const cancel = page.getByRole('button', { name: 'Cancel job' });
    await expect.poll(() => cancel.isEnabled(), { timeout: 5_000 }).toBe(true);

    // Act
    await cancel.click();

    // Assess
    const badge = page
      .locator('#jobs-table tbody tr', { hasText: 'waiting-job' })
      .locator('.badge');
    await expect.poll(() => badge.innerText(), { timeout: 5_000 }).toBe('CANCELLED');
    expect(await page.locator('#job-notice').innerText()).toBe(
      'Cancelled 1 queued task(s) of waiting-job.',
    );
    expect((await fixture.client.jobs.find(fixture.seed.waiting.jobId))?.state).toBe('CANCELLED');
  });

  it('runs without script errors or content security policy violations', () => {
    // Assess
    expect(pageErrors).toEqual([]);
  });
});
