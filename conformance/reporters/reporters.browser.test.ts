/**
 * The HTML report in a real browser (Chromium, driven by playwright-core): it renders without a
 * console error, shows every check, and a failure's evidence expands into its request log — the
 * sample report's, and a real run's.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { brokenAdapter, runSender } from '../../test/support/conformance/adapters.ts';
import { sampleReport } from '../../test/support/conformance/reports.ts';
import { describeWith } from '../../test/support/requirements.ts';
import { formatHtmlReport } from './html.ts';

/** The flags MACHINE.md gives for Chromium on the project's machines. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

describeWith({ tools: ['chromium'] }, 'the HTML report in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conformance-html-'));
    const file = join(dir, 'report.html');
    await writeFile(file, formatHtmlReport(sampleReport()));
    url = `file://${file}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  });

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens without console errors and shows every check', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    expect(await page.locator('tr.check').count()).toBe(6);
    expect(await page.locator('#summary').textContent()).toContain('1 passed');
    expect(errors).toEqual([]);
  });

  it('expands a failure’s evidence into its request log', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const row = page.locator('tr[id="sender.retry.same-uuid"]');
    const log = row.locator('ol.log');
    expect(await log.isVisible()).toBe(false);
    await row.locator('summary').click();
    expect(await log.isVisible()).toBe(true);
    expect(await log.locator('li').first().textContent()).toContain('POST');
  });

  it('opens the report of a real failing run, whose evidence is the requests NgDP saw', {
    timeout: 90_000,
  }, async () => {
    const report = await runSender(brokenAdapter('new-uuid-on-lost-answer'), {
      scenarios: ['lost-answer-after'],
    });
    const file = join(dir, 'real.html');
    await writeFile(file, formatHtmlReport(report));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`file://${file}`);
    expect(await page.locator('tr.check').count()).toBe(report.checks.length);
    const row = page.locator('tr[id="sender.retry.same-uuid"]');
    await row.locator('summary').click();
    expect(await row.locator('ol.log li').first().textContent()).toMatch(/\bPOST\s+\/apis\/v1\/memos\//);
    expect(errors).toEqual([]);
  });

  it('shows only the failures when asked', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.getByRole('button', { name: 'Failures only' }).click();
    expect(await page.locator('tr.check:not(.hidden)').count()).toBe(3);
  });
});
