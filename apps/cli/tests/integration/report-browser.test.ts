import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import axe from 'axe-core';
import { type Browser, chromium } from 'playwright-core';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

/*
 * The run reports of a published, a blocked and a failed run in real headless Chromium (Debian's,
 * driven by playwright-core), with JavaScript disabled and enabled: no console error, no request
 * but the page itself, the verdict, counts and charts there, and no serious or critical axe-core
 * violation. A screenshot of each is kept under apps/cli/test-artifacts/. `.ci/run` installs the
 * browser; without one this file says so and skips.
 */

/** Where Debian's chromium is (CHROMIUM_PATH to point elsewhere). */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const ARTIFACTS = join(REPO, 'apps/cli/test-artifacts');
const dirs = useTempLake('ledgerlake-report-browser-');
type Json = Record<string, unknown>;

if (CHROMIUM === undefined) {
  process.stderr.write('report-browser.test.ts: SKIPPED — no Chromium at /usr/bin/chromium (install Debian\'s chromium, as .ci/run does, or set CHROMIUM_PATH) to render the run reports in a real browser.\n');
}
const describeWithBrowser = CHROMIUM === undefined ? describe.skip : describe;

describeWithBrowser('run reports in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM as string, args: ['--no-sandbox'] });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(async () => browser?.close());

  it('renders the published, blocked and failed reports without scripts or requests, accessibly', async () => {
    const ingest = async (path: string): Promise<Json> => (JSON.parse((await runCli(['ingest', path, '--lake', dirs.lake, '--json'], dirs.work)).stdout) as Json[])[0] as Json;
    const bad = join(dirs.work, 'missing-columns.csv');
    await writeFile(bad, 'TransactionID,CustomerID\n1,A\n');
    const runs = {
      published: await ingest(Q1_SAMPLE),
      blocked: await ingest(join(REPO, 'samples/transactions-2024-04-with-errors.csv')),
      failed: await ingest(bad),
    };

    for (const [kind, outcome] of Object.entries(runs)) {
      const url = pathToFileURL(String(outcome['report'])).href;
      for (const javaScriptEnabled of [false, true]) {
        // bypassCSP only so that axe-core can be injected; the page itself asks for nothing.
        const context = await browser.newContext({ javaScriptEnabled, bypassCSP: true, viewport: { width: 1100, height: 900 } });
        const page = await context.newPage();
        const errors: string[] = [];
        const requests: string[] = [];
        page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
        page.on('pageerror', (error) => void errors.push(error.message));
        page.on('request', (request) => void (request.url() !== url && requests.push(request.url())));

        await page.goto(url);

        const body = await page.locator('body').innerText();
        expect([kind, errors, requests]).toEqual([kind, [], []]);
        expect(body).toContain(String(outcome['status']));
        expect(body).toContain(String(outcome['run_id']));
        expect(await page.locator('svg[role="img"] title').count()).toBeGreaterThan(0);
        if (kind !== 'failed') expect(body).toMatch(/input\s+8/);
        if (javaScriptEnabled) {
          await page.addScriptTag({ content: axe.source });
          const result = (await page.evaluate(() => (globalThis as unknown as { axe: typeof axe }).axe.run())) as axe.AxeResults;
          const serious = result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
          expect([kind, serious.map((violation) => `${violation.id}: ${violation.help}`)]).toEqual([kind, []]);
        } else {
          await page.screenshot({ path: join(ARTIFACTS, `report-${kind}.png`), fullPage: true });
          await page.screenshot({ path: join(ARTIFACTS, `report-${kind}-first-screen.png`) });
        }
        await context.close();
      }
    }
  }, 120_000);
});
