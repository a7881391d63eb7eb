// The data-sharing story in the console, in real Chromium:
// WLCAC's org_admin proposes an agreement to HOLA, HOLA's org_admin accepts,
// the hub admin approves; WLCAC records the youth's consent; HOLA's staff read
// the shared fields over GraphQL; WLCAC revokes the consent in the console and
// the next GraphQL request gets null + FORBIDDEN; the explainer and the audit
// log say why and what happened. Screenshots of each page go to SHOTS_DIR.
import { assert, launch, signIn, checkAccessible, shot, notice, graphql, base } from './lib.mjs';

const tokens = JSON.parse(process.env.TOKENS);
const participant = process.env.PARTICIPANT_ID;
const youth = process.env.PARTICIPANT_NAME;
const browser = await launch();
const SHARED = ['IDENTITY', 'CONTACT', 'PROGRESS'];
const read = `query($id: ID!) { participant(id: $id) { givenName email } }`;

try {
  // Keyboard: the skip link comes first, then the token field.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/admin/login`);
    await checkAccessible(page);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'token');
    await page.keyboard.type('not-a-token');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const [kind, text] = await notice(page);
    assert.equal(kind, 'error');
    assert.match(text, /UNAUTHENTICATED/);
    await shot(page, 'login');
    await context.close();
  }

  // 1. WLCAC proposes.
  const wlcac = await signIn(browser, tokens.wlcacAdmin);
  await checkAccessible(wlcac);
  await shot(wlcac, 'home');
  await wlcac.goto(`${base}/admin/agreements`);
  await checkAccessible(wlcac);
  await wlcac.getByLabel('Recipient organization').selectOption('hola');
  for (const c of SHARED) await wlcac.getByRole('checkbox', { name: c, exact: true }).check();
  await wlcac.getByLabel('Purpose').selectOption('SERVICE_COORDINATION');
  await wlcac.getByRole('button', { name: 'Propose agreement' }).click();
  assert.deepEqual(await notice(wlcac), ['ok', 'Agreement proposed; the recipient\'s org_admin accepts it next.']);
  assert.match(await wlcac.locator('tbody').first().textContent(), /awaiting the recipient/);

  // A form without the CSRF token is refused, even from the console's origin.
  const forged = await wlcac.evaluate(async () => {
    const r = await fetch('/admin/agreements', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'recipientOrgSlug=hola&categories=SENSITIVE&purpose=REPORTING&effectiveOn=2026-01-01',
    });
    return r.status;
  });
  assert.equal(forged, 403);

  // 2. HOLA accepts; 3. the hub admin approves.
  const hola = await signIn(browser, tokens.holaAdmin);
  await hola.goto(`${base}/admin/agreements`);
  await hola.getByRole('button', { name: 'Accept agreement wlcac to hola' }).click();
  assert.equal((await notice(hola))[0], 'ok');
  const hub = await signIn(browser, tokens.hubAdmin);
  await hub.goto(`${base}/admin/agreements`);
  await hub.getByRole('button', { name: 'Approve agreement wlcac to hola' }).click();
  assert.deepEqual(await notice(hub), ['ok', 'Agreement approved: it is in force.']);
  assert.match(await hub.locator('tbody').first().textContent(), /ACTIVE/);
  await shot(hub, 'agreements');

  // Without consent, HOLA's staff see nothing of the youth yet.
  let answer = await graphql(tokens.holaStaff, read, { id: participant });
  assert.equal(answer.data.participant, null, JSON.stringify(answer));

  // 4. WLCAC records the youth's consents for HOLA: identity, and
  //    contact + progress apart (so one can be revoked alone).
  await wlcac.goto(`${base}/admin/consents`);
  await checkAccessible(wlcac);
  for (const categories of [['IDENTITY'], ['CONTACT', 'PROGRESS']]) {
    await wlcac.getByLabel('Participant (required)').selectOption(participant);
    await wlcac.getByLabel('Recipient').selectOption('hola');
    for (const c of categories) await wlcac.getByRole('checkbox', { name: c, exact: true }).check();
    await wlcac.getByLabel('Purpose').selectOption('SERVICE_COORDINATION');
    await wlcac.getByLabel('Signed by').selectOption('SELF');
    await wlcac.getByRole('button', { name: 'Record consent' }).click();
    assert.deepEqual(await notice(wlcac), ['ok', 'Consent recorded.']);
  }
  // A guardian must sign for a minor: the console shows the API's error.
  await wlcac.getByLabel('Participant (required)').selectOption(process.env.MINOR_ID);
  await wlcac.getByRole('checkbox', { name: 'IDENTITY', exact: true }).check();
  await wlcac.getByLabel('Signed by').selectOption('SELF');
  await wlcac.getByRole('button', { name: 'Record consent' }).click();
  const [kind, text] = await notice(wlcac);
  assert.equal(kind, 'error');
  assert.match(text, /^BAD_USER_INPUT/);
  await shot(wlcac, 'consents');
  await wlcac.getByRole('link', { name: `Print consent form of ${youth}` }).first().click();
  assert.match(await wlcac.locator('main').textContent(), /Consent to share records/);
  await checkAccessible(wlcac);
  await shot(wlcac, 'consent-form');

  // 5. HOLA's staff read the shared fields.
  answer = await graphql(tokens.holaStaff, read, { id: participant });
  assert.equal(answer.errors, undefined, JSON.stringify(answer));
  assert.equal(answer.data.participant.givenName, youth.split(' ')[0]);
  assert.ok(answer.data.participant.email);

  // The explainer says CONTACT is allowed, by which agreement and consent.
  await wlcac.goto(`${base}/admin/access?recipient=hola&participant=${participant}`);
  await checkAccessible(wlcac);
  let contact = wlcac.locator('tr', { has: wlcac.locator('th', { hasText: /^CONTACT$/ }) });
  assert.match(await contact.textContent(), /allowed/);

  // 6. WLCAC revokes the contact + progress consent in the console.
  await wlcac.goto(`${base}/admin/consents`);
  await wlcac.getByRole('button', { name: `Revoke consent of ${youth} for hola (CONTACT, PROGRESS)` }).click();
  assert.deepEqual(await notice(wlcac), ['ok', 'Consent revoked: sharing that relied on it stops now.']);
  assert.match(await wlcac.locator('tbody').first().textContent(), /REVOKED/);

  // The next GraphQL request: the name still, the email null + FORBIDDEN.
  answer = await graphql(tokens.holaStaff, read, { id: participant });
  assert.equal(answer.data.participant.givenName, youth.split(' ')[0], JSON.stringify(answer));
  assert.equal(answer.data.participant.email, null, JSON.stringify(answer));
  assert.equal(answer.errors.length, 1, JSON.stringify(answer));
  assert.equal(answer.errors[0].extensions.code, 'FORBIDDEN');
  assert.equal(answer.errors[0].extensions.category, 'CONTACT');
  assert.deepEqual(answer.errors[0].path, ['participant', 'email']);
  // The explainer now says why CONTACT is denied.
  await wlcac.goto(`${base}/admin/access?recipient=hola&participant=${participant}`);
  contact = wlcac.locator('tr', { has: wlcac.locator('th', { hasText: /^CONTACT$/ }) });
  assert.match(await contact.textContent(), /denied/);
  assert.match(await contact.textContent(), /consent/i);
  const identity = wlcac.locator('tr', { has: wlcac.locator('th', { hasText: /^IDENTITY$/ }) });
  assert.match(await identity.textContent(), /allowed/);
  await shot(wlcac, 'access-explainer');

  // 7. The audit log shows the grant and the revocation.
  await hub.goto(`${base}/admin/audit`);
  await checkAccessible(hub);
  await hub.getByLabel('Action').selectOption('REVOKE');
  await hub.getByRole('button', { name: 'Show events' }).click();
  const revokes = await hub.locator('tbody tr').allTextContents();
  assert.ok(revokes.some((r) => /consent/.test(r)), revokes.join('\n'));
  await hub.getByLabel('Action').selectOption('GRANT');
  await hub.getByRole('button', { name: 'Show events' }).click();
  const grants = await hub.locator('tbody tr').allTextContents();
  assert.ok(grants.some((r) => /consent/.test(r)), grants.join('\n'));
  assert.ok(grants.some((r) => /sharing_agreement/.test(r)), grants.join('\n'));
  await shot(hub, 'audit');

  // The other main pages render, accessibly, for review.
  for (const [page, path, name] of [
    [hub, '/admin/organizations', 'organizations'],
    [hub, '/admin/pathways', 'pathways'],
    [wlcac, '/admin/programs', 'programs'],
    [wlcac, '/admin/mentors', 'mentors'],
    [wlcac, '/admin/import', 'import'],
  ]) {
    await page.goto(`${base}${path}`);
    await checkAccessible(page);
    await shot(page, name);
  }
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
