// The report page in real Chromium: WLCAC's org_admin picks figures, sees
// the SVG chart and the table with the LACHSA-style targets column, and the
// CSV link answers the same figures with the session cookie.
import { assert, launch, signIn, checkAccessible, shot, base } from './lib.mjs';

const tokens = JSON.parse(process.env.TOKENS);
const browser = await launch();
try {
  const page = await signIn(browser, tokens.admin);
  await page.getByRole('link', { name: 'Reports', exact: true }).first().click();
  await page.waitForURL(/\/admin\/reports/);
  await checkAccessible(page);
  await page.getByRole('checkbox', { name: 'Stipend eligible' }).check();
  await page.getByRole('button', { name: 'Show report' }).click();
  await page.waitForURL(/STIPEND_ELIGIBLE/);
  const chart = page.locator('svg[role=img]');
  await chart.waitFor();
  assert.match(await chart.locator('title').textContent(), /Enrolled by group/);
  const bars = await chart.locator('rect').count();
  assert.ok(bars >= 2, `bars: ${bars}`);
  const header = await page.locator('thead').textContent();
  for (const h of ['Group', 'Enrolled', 'Completed', 'Completion rate', 'Stipend eligible', 'Targets']) {
    assert.ok(header.includes(h), `${h} in ${header}`);
  }
  const total = await page.locator('tbody tr', { hasText: 'All (unduplicated)' }).textContent();
  assert.match(total, /\d|suppressed/);
  await checkAccessible(page);
  await shot(page, 'reports');

  // The CSV link uses the session and answers the same table.
  const href = await page.getByRole('link', { name: 'Download these figures as CSV' }).getAttribute('href');
  const csv = await page.evaluate(async (h) => {
    const r = await fetch(h);
    return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
  }, href);
  assert.equal(csv.status, 200, csv.body);
  assert.match(csv.type, /text\/csv/);
  // `# ` comment lines first (issue 32: the bounds used, the threshold,
  // the privacy mechanism), then the table's header.
  const lines = csv.body.split('\n');
  assert.match(lines[0], /^# bounds: /);
  const [head] = lines.filter((l) => !l.startsWith('#'));
  assert.match(head, /ENROLLED/);
  assert.match(head, /STIPEND_ELIGIBLE/);
  console.log(JSON.stringify({ ok: true, csvLines: csv.body.trim().split('\n').length }));
} finally {
  await browser.close();
}
