// Shared helpers of the console's browser tests: Debian's Chromium driven by
// playwright-core, a fresh browser context (cookie jar) per user.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

export const base = process.env.HUB_BASE;
export const shots = process.env.SHOTS_DIR;
mkdirSync(shots, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** Signs in with a bearer token through the login form; returns the page. */
export async function signIn(browser, token) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/admin`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Console');
  return page;
}

/** Every visible form control has a label; the page has one h1 and a main. */
export async function checkAccessible(page) {
  const problems = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label');
      if (!named) out.push(`${el.tagName.toLowerCase()}#${el.id || el.name} has no label`);
    }
    for (const b of document.querySelectorAll('button')) {
      if (!(b.textContent.trim() || b.getAttribute('aria-label'))) out.push('a button has no name');
    }
    if (document.querySelectorAll('h1').length !== 1) out.push('not exactly one h1');
    if (!document.querySelector('main')) out.push('no main landmark');
    if (!document.documentElement.lang) out.push('no lang');
    return out;
  });
  assert.deepEqual(problems, [], `${page.url()}: ${problems.join('; ')}`);
}

/** Screenshot of the whole page under SHOTS_DIR. */
export async function shot(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

/** The notice at the top of the page: [kind, text]. */
export async function notice(page) {
  const alert = page.locator('.notice');
  await alert.waitFor();
  const kind = (await alert.getAttribute('class')).includes('error') ? 'error' : 'ok';
  return [kind, (await alert.textContent()).trim()];
}

/** POSTs a GraphQL document with a bearer token (a partner app's request). */
export async function graphql(token, query, variables = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

export { assert };
