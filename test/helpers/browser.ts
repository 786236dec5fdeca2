/**
 * Opens a local HTML file in headless Chromium (Debian's `chromium`, driven by playwright-core)
 * and reports console errors, page errors and failed requests. Started as this environment
 * requires: --headless --no-sandbox --disable-gpu, a fresh user-data directory, and no
 * background networking (no internet here).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export function chromiumPath(): string | null {
  for (const p of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) return p;
  }
  return null;
}

export interface PageCheck {
  errors: string[];
  /** per <svg> in document order: number of drawn marks (paths, rects, circles, lines, text in mark groups) */
  marksPerChart: number[];
  title: string;
}

export async function checkPage(file: string): Promise<PageCheck> {
  const bin = chromiumPath();
  if (!bin) throw new Error('chromium not found (apt-get install chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'archsim-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: bin,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const marksPerChart = await page.$$eval('svg.marks', (svgs) =>
      svgs.map((s) => s.querySelectorAll('g.mark-rect path, g.mark-symbol path, g.mark-line path, g.mark-rule line, g.mark-area path, g.mark-point path').length),
    );
    const title = await page.title();
    return { errors, marksPerChart, title };
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
