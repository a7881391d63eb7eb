// The youth's own page in real Chromium at a phone's size (390×844): sign
// in with their own token, link the record with a code, read it with each
// row's organization and who read it, revoke a consent, ask for a
// correction and download the record as JSON — every form labelled, one
// h1, nothing wider than the screen, keyboard order as the page reads.
import { assert, launch, checkAccessible, shot, base } from './lib.mjs';

const { token, code, participantId, confirmers } = JSON.parse(process.env.YOUTH);
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/me`);
  await checkAccessible(page);
  await shot(page, 'link');

  // A wrong code is refused and says so; the right one links the record.
  await page.getByLabel('Your code').fill('AAAAA-AAAAA');
  await page.getByRole('button', { name: 'Link my record' }).click();
  await page.locator('.notice.error').waitFor();
  await page.getByLabel('Your code').fill(code);
  await page.getByRole('button', { name: 'Link my record' }).click();
  await page.waitForURL(`${base}/me`);
  await page.getByRole('heading', { name: 'Who read my record' }).waitFor();
  // The link reaches what Arts2Work, which issued the code, may read; the
  // other organizations that keep the youth's profile confirm it (after
  // checking identity in person) and it widens to their records.
  assert.ok(!(await page.getByRole('region', { name: 'My record', exact: true }).textContent()).includes('Kept by HOLA'));
  for (const admin of confirmers) {
    const answer = await (await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: 'mutation($input: AccountLinkInput!) { confirmAccountLink(input: $input) { linkedOn } }',
        variables: { input: { participantId } },
      }),
    })).json();
    assert.ok(!answer.errors, JSON.stringify(answer));
  }
  await page.reload();
  await page.getByRole('heading', { name: 'Who read my record' }).waitFor();
  await checkAccessible(page);

  const record = await page.getByRole('region', { name: 'My record', exact: true }).textContent();
  for (const org of ['Kept by ALLIANCE-ARTS2WORK', 'Kept by HOLA', 'kept by SPACELA']) {
    assert.ok(record.toLowerCase().includes(org.toLowerCase()), `${org} in ${record}`);
  }
  const reads = await page.locator('ul.reads li').allTextContents();
  assert.ok(reads.some((r) => r.startsWith('HOLA read your enrollment records')), reads.join(' | '));

  // Phone-first: nothing wider than the screen; no tabindex jumps; Tab
  // starts at the skip link.
  const layout = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    jumps: [...document.querySelectorAll('[tabindex]')].filter((e) => e.tabIndex > 0).length,
  }));
  assert.ok(layout.width <= 390, `page is ${layout.width}px wide`);
  assert.equal(layout.jumps, 0);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await shot(page, 'me');

  // Revoke the consent.
  await page.getByRole('button', { name: 'Revoke this consent' }).first().click();
  await page.waitForURL(`${base}/me`);
  assert.match(await page.locator('ul.consents').textContent(), /REVOKED/);

  // Give a new one, for every partner.
  await page.getByRole('checkbox', { name: 'Name and identity' }).check();
  await page.getByRole('checkbox', { name: 'Enrollments' }).check();
  await page.getByRole('button', { name: 'Give consent' }).click();
  await page.waitForURL(`${base}/me`);
  const consents = await page.locator('ul.consents > li').allTextContents();
  assert.ok(consents.some((c) => c.includes('ACTIVE') && c.includes('by SELF')), consents.join(' | '));

  // Ask for a correction of the last name kept by Arts2Work.
  await page.getByLabel('Profile').selectOption({ label: 'Kept by ALLIANCE-ARTS2WORK' });
  await page.getByLabel('What is wrong').selectOption('familyName');
  await page.getByLabel('What it should say').fill('Quintéro');
  await page.getByLabel('Why').last().fill('My last name has an accent.');
  await page.getByRole('button', { name: 'Send the request' }).click();
  await page.waitForURL(`${base}/me`);
  assert.match(await page.locator('ul.corrections').textContent(), /familyName → “Quintéro”: OPEN/);
  await checkAccessible(page);
  await shot(page, 'after');

  // The whole record as JSON, with the session.
  const exported = await page.evaluate(async () => {
    const r = await fetch('/me/export.json');
    return { status: r.status, body: await r.json() };
  });
  assert.equal(exported.status, 200);
  assert.equal(exported.body.record.id, participantId);
  assert.equal(exported.body.record.correctionRequests.length, 1);
  console.log(JSON.stringify({ ok: true, reads: reads.length }));
} finally {
  await browser.close();
}
