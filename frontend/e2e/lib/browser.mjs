// Browser helpers for the end-to-end tests: Debian's Chromium driven by
// playwright-core (never a downloaded browser), axe-core checks, screenshots.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots go here; set KANMON_SCREENSHOTS to keep them somewhere known. */
export const screenshotDir = process.env.KANMON_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'kanmon-shots-'));
mkdirSync(screenshotDir, { recursive: true });

/**
 * launch starts Chromium with a fresh profile. `locale` sets navigator.languages,
 * which decides the SPA's first language.
 */
export async function launch({ locale = 'ja-JP', viewport = { width: 1024, height: 800 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'kanmon-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    locale,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--lang=${locale}`,
    ],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => {});
  const page = context.pages()[0] ?? (await context.newPage());
  const cspViolations = watchCsp(page);
  return {
    context,
    page,
    cspViolations,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// The server's Content-Security-Policy forbids inline scripts and styles; a
// violation shows up as a console error, which the tests then fail on.
function watchCsp(page) {
  const found = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) found.push(msg.text());
  });
  return found;
}

/** checkA11y fails on any serious or critical axe-core violation. */
export async function checkA11y(page, name) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `accessibility violations on ${name}`,
  );
}

/** shot saves a full-page screenshot and returns its path. */
export async function shot(page, name) {
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** focusedText returns the text (or label) of the element that has the focus. */
export function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return '';
    return el.id || el.getAttribute('role') || el.tagName.toLowerCase();
  });
}
