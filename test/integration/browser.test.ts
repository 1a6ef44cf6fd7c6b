import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli, type RunningDaemon, startDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { repoRoot, tempDir, writeConfig } from '../support/paths.js';
import { requireFile } from '../support/programs.js';
import { eventually } from '../support/wait.js';

const chromiumPath = '/usr/bin/chromium';
const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const shots = join(repoRoot, 'test-output');
const laptop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };
const hostile = '<script>window.pwned=1</script><img src=x onerror=window.pwned=2>';

/** A browser tab on the daemon, and the status of the navigation that opened it. */
interface Opened {
  readonly page: Page;
  readonly status: number;
  /** Every URL the page asked for, documents and anything else. */
  readonly requests: string[];
}

let browser: Browser;
const pages: Page[] = [];

async function open(port: number, path: string, viewport = laptop): Promise<Opened> {
  const mobile = viewport.width < 600;
  const page = await browser.newPage({ viewport, isMobile: mobile, hasTouch: mobile });
  pages.push(page);
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  const response = await page.goto(`http://127.0.0.1:${port}${path}`);
  assert.ok(response, `no response for ${path}`);
  return { page, status: response.status(), requests };
}

/** The status of the plain answer (no Accept header) for the same path. */
async function plainStatus(port: number, path: string): Promise<number> {
  return (await httpRequest(port, { path })).status;
}

/** Each check card as `name: badge`, in page order: `web: ✔ PASS`. */
async function cards(page: Page): Promise<string[]> {
  const names = await page.locator('li.check h2').allInnerTexts();
  const badges = await page.locator('li.check .check-head > .badge:first-child').allInnerTexts();
  assert.equal(names.length, badges.length);
  return names.map((name, i) => `${name}: ${badges[i] ?? ''}`);
}

function card(page: Page, name: string) {
  return page
    .locator('li.check')
    .filter({ has: page.locator('h2', { hasText: new RegExp(`^${name}$`) }) });
}

async function overall(page: Page): Promise<string> {
  return page.locator('.overall-state').innerText();
}

async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(shots, name), fullPage });
}

describe(
  'the status page in a real browser',
  {
    skip: requireFile(chromiumPath, "install Debian's chromium package to run this test"),
    timeout: 240_000,
  },
  () => {
    before(async () => {
      mkdirSync(shots, { recursive: true });
      browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs });
    });
    after(async () => {
      await browser?.close();
    });
    afterEach(async () => {
      await Promise.all(pages.splice(0).map((page) => page.close()));
    });

    describe('a daemon with a passing, a warning, a failing and a switchable check', () => {
      const dir = tempDir('hcd-browser-');
      const flag = join(dir.path, 'flag');
      let config: string;
      let daemon: RunningDaemon;
      before(async () => {
        writeFileSync(flag, '');
        config = writeConfig(
          dir.path,
          `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${dir.path}/spool\n` +
            `status_fail = 504\n\n` +
            `[check:web]\ncommand = "echo web answers 200"\ngroup = front\n\n` +
            `[check:replica]\ncommand = "echo replica lag 42 s && exit 1"\nwarn_exit_codes = 1\n` +
            `group = db\n\n` +
            `[check:primary]\ncommand = test -e ${flag}\ngroup = db\n\n` +
            `[check:disk]\ncommand = "echo '${hostile}' && exit 2"\ncritical = false\n`,
        );
        daemon = await startDaemon([config]);
      });
      after(async () => {
        await daemon.stop();
        dir.cleanup();
      });

      it('answers with the plain answer status and shows every check with its state', async () => {
        const { page, status } = await open(daemon.port, '/');
        assert.equal(status, await plainStatus(daemon.port, '/'));
        assert.equal(status, 200);
        assert.equal(await overall(page), '▲ WARN');
        // The plain answer's word (WARN answers 200 and the text body WARN), then the host.
        assert.equal(await page.locator('h1').innerText(), `WARN · ${hostname()}`);
        assert.match(await page.title(), /^WARN · /);
        // The checks that are not passing first, each group in config order.
        assert.deepEqual(await cards(page), [
          'replica: ▲ WARN',
          'disk: ✖ FAIL',
          'web: ✔ PASS',
          'primary: ✔ PASS',
        ]);
        assert.match(await card(page, 'replica').innerText(), /Result\s+exit 1/i);
        assert.match(
          await card(page, 'replica').locator('pre').first().innerText(),
          /replica lag 42 s/,
        );
        assert.match(await card(page, 'disk').innerText(), /non-critical/);
        await shoot(page, 'warn-all.png');
      });

      it('shows a hostile output as text, runs none of it, and loads nothing else', async () => {
        const { page, requests } = await open(daemon.port, '/');
        assert.equal(await card(page, 'disk').locator('pre').first().innerText(), hostile);
        // The state change to fail shows the same output, as text too.
        assert.equal(await card(page, 'disk').locator('.changes pre').innerText(), hostile);
        assert.equal(await page.evaluate('typeof window.pwned'), 'undefined');
        assert.equal(await page.locator('script, img, link').count(), 0);
        assert.deepEqual(
          requests.filter((url) => url !== `http://127.0.0.1:${daemon.port}/`),
          [],
        );
      });

      it('/check/<name> and /<group> show only their checks, with their own status', async () => {
        const expected: Array<[string, string[], string]> = [
          ['/check/web', ['web: ✔ PASS'], '✔ PASS'],
          ['/check/disk', ['disk: ✖ FAIL'], '✖ FAIL'],
          ['/db', ['replica: ▲ WARN', 'primary: ✔ PASS'], '▲ WARN'],
          ['/front', ['web: ✔ PASS'], '✔ PASS'],
        ];
        for (const [path, checks, state] of expected) {
          const { page, status } = await open(daemon.port, path);
          assert.equal(status, await plainStatus(daemon.port, path), path);
          assert.deepEqual(await cards(page), checks, path);
          assert.equal(await overall(page), state, path);
          await shoot(page, `endpoint${path.replaceAll('/', '-')}.png`);
        }
      });

      it('reloads itself and shows a check that flips, with the new status code', async () => {
        const { page } = await open(daemon.port, '/');
        const documents: number[] = [];
        page.on('response', (response) => {
          if (response.request().resourceType() === 'document') documents.push(response.status());
        });
        assert.equal(await card(page, 'primary').locator('.badge').first().innerText(), '✔ PASS');
        rmSync(flag);
        try {
          // no reload from the test: the page's meta refresh brings the new state
          await card(page, 'primary')
            .locator('.badge', { hasText: 'FAIL' })
            .waitFor({ timeout: 15_000 });
          assert.equal(await overall(page), '✖ FAIL');
          assert.ok(documents.length >= 1);
          assert.equal(documents.at(-1), 504);
          assert.equal(await plainStatus(daemon.port, '/'), 504);
          await shoot(page, 'fail-all.png');
        } finally {
          writeFileSync(flag, '');
        }
        await card(page, 'primary')
          .locator('.badge', { hasText: 'PASS' })
          .waitFor({ timeout: 15_000 });
        assert.equal(await overall(page), '▲ WARN');
      });

      it('shows a maintenance banner with the reason and answers status_maintenance', async () => {
        const down = await runCli(['down', config, '--reason', 'kernel upgrade', '--for', '30m']);
        assert.equal(down.code, 0, down.stderr);
        try {
          const { page, status } = await open(daemon.port, '/');
          assert.equal(status, 503);
          assert.equal(await plainStatus(daemon.port, '/'), 503);
          assert.equal(await overall(page), '▮▮ MAINTENANCE');
          const banner = await page.locator('section.banner').innerText();
          assert.match(banner, /Maintenance: kernel upgrade/);
          assert.match(banner, /until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (29|30) min\)/);
          assert.equal((await cards(page)).length, 4, 'the last results stay visible');
          await shoot(page, 'maintenance-all.png', false);
        } finally {
          assert.equal((await runCli(['up', config])).code, 0);
        }
      });

      it('a flag on one check covers its endpoints only, until `healthcheckd up`', async () => {
        const down = await runCli([
          'down',
          config,
          '--check',
          'primary',
          '--reason',
          'failover drill',
        ]);
        assert.equal(down.code, 0, down.stderr);
        try {
          const db = await open(daemon.port, '/db');
          assert.equal(db.status, 503);
          assert.match(
            await db.page.locator('section.banner').innerText(),
            /failover drill[\s\S]*until healthcheckd up/,
          );
          await shoot(db.page, 'maintenance-group.png');
          const web = await open(daemon.port, '/check/web');
          assert.equal(web.status, 200);
          assert.equal(await web.page.locator('section.banner').count(), 0);
        } finally {
          assert.equal((await runCli(['up', config, '--check', 'primary'])).code, 0);
        }
      });

      it('fits a phone without horizontal scrolling', async () => {
        assert.equal(
          (await runCli(['down', config, '--reason', 'kernel upgrade', '--for', '30m'])).code,
          0,
        );
        try {
          for (const path of ['/', '/check/disk']) {
            const { page } = await open(daemon.port, path, phone);
            assert.equal(await page.evaluate('window.innerWidth'), phone.width);
            const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
            assert.ok(width <= phone.width, `${path}: scrollWidth ${width} > ${phone.width}`);
            await shoot(page, `phone${path === '/' ? '-all' : path.replaceAll('/', '-')}.png`);
          }
        } finally {
          assert.equal((await runCli(['up', config])).code, 0);
        }
      });
    });

    describe('history, flapping and a flag on one check', () => {
      const dir = tempDir('hcd-browser-');
      const script = join(dir.path, 'flappy.sh');
      let config: string;
      let daemon: RunningDaemon;
      before(async () => {
        // Passes and fails by turns: a connection pool that keeps dropping.
        writeFileSync(
          script,
          `n=$(cat ${dir.path}/n 2>/dev/null || echo 0)\necho $((n + 1)) > ${dir.path}/n\n` +
            `if [ $((n % 2)) -eq 0 ]; then echo "pool ok: 8 of 8 connections"; exit 0; fi\n` +
            `echo "pool exhausted: 0 of 8 connections free"; exit 2\n`,
        );
        config = writeConfig(
          dir.path,
          `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${dir.path}/spool\n\n` +
            `[check:web]\ncommand = "echo web answers 200"\ninterval = 300ms\n\n` +
            `[check:pool]\ncommand = sh ${script}\ninterval = 300ms\nflap_threshold = 30\n\n` +
            `[check:replica]\ncommand = "echo replica lag 42 s && exit 1"\nwarn_exit_codes = 1\n` +
            `interval = 300ms\n\n` +
            `[check:disk]\ncommand = "echo '${hostile}' && exit 2"\ncritical = false\ninterval = 300ms\n`,
        );
        daemon = await startDaemon([config]);
      });
      after(async () => {
        await daemon.stop();
        dir.cleanup();
      });

      it("draws each check's recent results as a strip and lists its state changes", async () => {
        const { page } = await open(daemon.port, '/');
        // The page refreshes itself; wait for the pool to be marked flapping.
        await card(page, 'pool').locator('.badge.flapping').waitFor({ timeout: 30_000 });
        const cells = card(page, 'pool').locator('.strip .cell');
        const count = await cells.count();
        assert.ok(count >= 6 && count <= 20, `${count} cells`);
        const titles = await Promise.all(
          Array.from({ length: count }, (_, i) => cells.nth(i).getAttribute('title')),
        );
        for (const title of titles) {
          assert.match(
            title ?? '',
            /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · (PASS · [\d.]+ ms · exit 0 · pool ok|FAIL · [\d.]+ ms · exit 2 · pool exhausted)/,
          );
        }
        const label = await card(page, 'pool').locator('.strip').getAttribute('aria-label');
        assert.match(label ?? '', /^Last \d+ results, oldest first: \d+ pass, \d+ fail$/);
        const changes = card(page, 'pool').locator('.changes li');
        assert.equal(await changes.count(), 5, 'the five most recent on a page of several checks');
        assert.match(await changes.first().innerText(), /(PASS → FAIL|FAIL → PASS)[\s\S]*pool/);
        assert.match(await card(page, 'pool').innerText(), /State change over the last 21 results/);
        assert.equal(await page.evaluate('typeof window.pwned'), 'undefined');
      });

      it("shows all of a check's changes on its own page", async () => {
        const { page } = await open(daemon.port, '/check/pool');
        const count = await card(page, 'pool').locator('.changes li').count();
        assert.ok(count > 5 && count <= 20, `${count} changes`);
      });

      it('badges the check under a flag, and fits a phone', async () => {
        const down = await runCli([
          'down',
          config,
          '--check',
          'replica',
          '--reason',
          'replica rebuild',
        ]);
        assert.equal(down.code, 0, down.stderr);
        try {
          const { page } = await open(daemon.port, '/');
          assert.equal(await overall(page), '▮▮ MAINTENANCE');
          await card(page, 'pool').locator('.badge.flapping').waitFor({ timeout: 30_000 });
          assert.equal(
            await card(page, 'replica').locator('.badge.s-maintenance').innerText(),
            '▮▮ MAINTENANCE',
          );
          assert.match(
            await card(page, 'replica').innerText(),
            /Under the maintenance flag check:replica: replica rebuild/,
          );
          assert.equal(await card(page, 'web').locator('.badge.s-maintenance').count(), 0);
          const passing = (await cards(page)).map((item) => item.endsWith('PASS'));
          assert.deepEqual(passing, [...passing].sort(), 'passing checks last');
          await shoot(page, 'history-flapping.png', false);
          await shoot(page, 'status-page.png');
          const phoneView = await open(daemon.port, '/', phone);
          const width = (await phoneView.page.evaluate(
            'document.documentElement.scrollWidth',
          )) as number;
          assert.ok(width <= phone.width, `scrollWidth ${width} > ${phone.width}`);
          await shoot(phoneView.page, 'phone-history.png');
        } finally {
          assert.equal((await runCli(['up', config, '--check', 'replica'])).code, 0);
        }
      });
    });

    describe('expose_output = false', () => {
      const dir = tempDir('hcd-browser-');
      let daemon: RunningDaemon;
      before(async () => {
        const config = writeConfig(
          dir.path,
          `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${dir.path}/spool\n` +
            `expose_output = false\n\n[check:secret]\ncommand = "echo token=hunter2 && exit 2"\n`,
        );
        daemon = await startDaemon([config]);
      });
      after(async () => {
        await daemon.stop();
        dir.cleanup();
      });

      it('shows the state but none of the output', async () => {
        const { page, status } = await open(daemon.port, '/');
        assert.equal(status, await plainStatus(daemon.port, '/'));
        assert.deepEqual(await cards(page), ['secret: ✖ FAIL']);
        assert.doesNotMatch(await page.content(), /hunter2/);
        assert.equal(await page.locator('pre').count(), 0);
        assert.match(await card(page, 'secret').innerText(), /Output hidden/);
        await shoot(page, 'expose-output-false.png');
      });
    });

    describe('background checks: pending and stale', () => {
      const dir = tempDir('hcd-browser-');
      const slow = join(dir.path, 'slow');
      let daemon: RunningDaemon;
      before(async () => {
        const config = writeConfig(
          dir.path,
          `[healthcheckd]\nport = 0\npiddir = ${dir.path}\nspool_dir = ${dir.path}/spool\n\n` +
            `[check:warming]\ncommand = sleep 30\ninterval = 60s\ntimeout = 40s\ncritical = false\n\n` +
            `[check:stuck]\ncommand = "test -e ${slow} && sleep 30 || echo quick"\n` +
            `interval = 1s\nmax_age = 2s\ntimeout = 40s\n`,
        );
        daemon = await startDaemon([config]);
      });
      after(async () => {
        await daemon.stop();
        dir.cleanup();
      });

      it('shows a check without a result as PENDING; a slow run within its timeout is not STALE', async () => {
        // The page and the plain answer are compared once `stuck` has its first result: until
        // then both say 503 or 200 depending on the moment each was asked.
        assert.ok(
          await eventually(async () => (await plainStatus(daemon.port, '/')) === 200),
          'stuck passes once',
        );
        const { page, status } = await open(daemon.port, '/');
        assert.equal(status, await plainStatus(daemon.port, '/'));
        assert.equal(await card(page, 'warming').locator('.badge').innerText(), '○ PENDING');
        assert.match(await card(page, 'warming').innerText(), /Last run\s+not yet/i);
        writeFileSync(slow, '');
        // Past max_age (2 s) the slow run is still within its timeout (40 s): the last pass
        // stands (the STALE badge itself is drawn in test/http/status-page.test.ts).
        await new Promise((resolve) => setTimeout(resolve, 3_500));
        const later = await open(daemon.port, '/');
        assert.equal(await card(later.page, 'stuck').locator('.badge').innerText(), '✔ PASS');
        assert.equal(await overall(later.page), '▲ WARN', 'only the non-critical pending check');
        assert.equal(await plainStatus(daemon.port, '/'), 200);
        await shoot(later.page, 'pending-slow.png');
      });
    });
  },
);
