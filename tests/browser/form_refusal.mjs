// A refused console form keeps what the user typed, in real Chromium.
// WLCAC's org_admin adds a program whose dates are reversed, a mentor whose
// email the API refuses (with "Takes mentees now" unchecked) and an agreement
// that expires before it starts. Each time the API answers BAD_USER_INPUT
// naming one field: the error is at the top of the page and next to that
// field (aria-invalid, aria-describedby), and every control of the form
// still holds what was typed. The corrected form is accepted and comes back
// as empty as on a first visit.
import { assert, launch, signIn, checkAccessible, shot, notice, base } from './lib.mjs';

const tokens = JSON.parse(process.env.TOKENS);

/** The form holding the button `button`. */
function formOf(page, button) {
  return page.locator('form', { has: page.getByRole('button', { name: button, exact: true }) });
}

/** What every control of that form holds: name → value, or for checkboxes
 *  the list of checked values. */
async function values(page, button) {
  return formOf(page, button).evaluate((form) => {
    const out = {};
    for (const el of form.elements) {
      if (!el.name || el.type === 'hidden' || el.tagName === 'BUTTON') continue;
      if (el.type === 'checkbox') {
        out[el.name] = out[el.name] || [];
        if (el.checked) out[el.name].push(el.value);
      } else {
        out[el.name] = el.value;
      }
    }
    return out;
  });
}

/** Types `typed` into the form: selects by value, checkboxes by the list of
 *  values to check (the others are unchecked), the rest as text. */
async function fill(page, button, typed) {
  const form = formOf(page, button);
  for (const [name, value] of Object.entries(typed)) {
    if (Array.isArray(value)) {
      for (const box of await form.locator(`input[type=checkbox][name="${name}"]`).all()) {
        await box.setChecked(value.includes(await box.getAttribute('value')));
      }
    } else if ((await form.locator(`[name="${name}"]`).evaluate((el) => el.tagName)) === 'SELECT') {
      await form.locator(`select[name="${name}"]`).selectOption(value);
    } else {
      await form.locator(`[name="${name}"]`).fill(value);
    }
  }
}

/** The page's invalid controls, with the message each points to and
 *  whether that message comes right after the control. */
async function invalid(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[aria-invalid="true"]')].map((el) => {
      const id = el.getAttribute('aria-describedby');
      const message = id ? document.getElementById(id) : null;
      return {
        name: el.name,
        message: message ? message.textContent : null,
        nextToIt: message !== null && el.nextElementSibling === message,
      };
    }),
  );
}

/** Clicks the submit button and waits for the page the server answers. */
async function submit(page, button) {
  const problems = await formOf(page, button).evaluate((form) =>
    [...form.elements].filter((el) => el.willValidate && !el.checkValidity()).map((el) => `${el.name}: ${el.validationMessage}`),
  );
  assert.deepEqual(problems, [], 'the browser would not send the form');
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await page.getByRole('button', { name: button, exact: true }).click();
  await navigated;
  await page.waitForLoadState('domcontentloaded');
}

/**
 * One refused and one corrected submission of the form on `path`.
 * `typed` has a value for every control; `field` is the one the API refuses,
 * with `message`; `fix` is its corrected value; `done` the success notice.
 */
async function refuseThenFix(page, { path, button, typed, field, message, fix, done, name }) {
  await page.goto(`${base}${path}`);
  await checkAccessible(page);
  const blank = await values(page, button);
  assert.deepEqual(Object.keys(typed).sort(), Object.keys(blank).sort(), 'the test types into every control');

  await fill(page, button, typed);
  assert.deepEqual(await values(page, button), typed, 'filled as meant');
  await submit(page, button);

  const [kind, text] = await notice(page);
  assert.equal(kind, 'error', text);
  assert.match(text, /^BAD_USER_INPUT/);
  assert.ok(text.includes(`(field ${field})`), text);
  assert.deepEqual(await values(page, button), typed, `${path}: every typed value is kept`);
  assert.deepEqual(await invalid(page), [{ name: field, message, nextToIt: true }]);
  const control = formOf(page, button).locator(`[name="${field}"]`);
  assert.equal(await control.getAttribute('aria-describedby'), `${field}-error`);
  await checkAccessible(page);
  await shot(page, `${name}-refused`);

  await fill(page, button, { [field]: fix });
  await submit(page, button);
  assert.deepEqual(await notice(page), ['ok', done]);
  assert.deepEqual(await values(page, button), blank, `${path}: empty again after success`);
  assert.deepEqual(await invalid(page), []);
  assert.equal(await page.locator('.field-error').count(), 0);
  await checkAccessible(page);
}

const browser = await launch();
try {
  const page = await signIn(browser, tokens.admin);

  // A program that ends before it starts; selects, numbers, text and dates.
  await page.goto(`${base}/admin/programs`);
  const pathway = await page
    .locator('#pathwayCode option')
    .evaluateAll((options) => options.map((o) => o.value).find((v) => v !== ''));
  assert.ok(pathway, 'the demo has pathways');
  const program = 'Grip & Electric "Night" Cohort <3>';
  await refuseThenFix(page, {
    name: 'program',
    path: '/admin/programs',
    button: 'Add program',
    typed: {
      name: program,
      kind: 'TRAINING_COHORT',
      approach: 'HYBRID',
      pathwayCode: pathway,
      requiredOjtHours: '120',
      requiredRtiHours: '24',
      scheduledHours: '200',
      stipendThresholdPct: '80',
      site: 'Sun Valley, stage 4',
      startsOn: '2026-09-01',
      endsOn: '2026-06-30',
    },
    field: 'endsOn',
    message: 'must not be before startsOn',
    fix: '2027-06-30',
    done: 'Program added.',
  });
  assert.match(await page.locator('table').first().textContent(), /Grip & Electric "Night" Cohort <3>/);

  // A mentor whose email has no dot in its domain (the browser lets it
  // through, the API does not), with the box checked by default unchecked.
  await refuseThenFix(page, {
    name: 'mentor',
    path: '/admin/mentors',
    button: 'Add mentor',
    typed: {
      name: 'Dana Whitfield',
      email: 'dana@localhost',
      craft: 'Set Lighting',
      unionLocal: '728',
      active: [],
    },
    field: 'email',
    message: 'must be an email address',
    fix: 'dana@studio.example',
    done: 'Mentor added.',
  });

  // An agreement that expires before it takes effect: an organization
  // select, a checkbox group, an unchecked default and a default date.
  await refuseThenFix(page, {
    name: 'agreement',
    path: '/admin/agreements',
    button: 'Propose agreement',
    typed: {
      recipientOrgSlug: 'cfc',
      categories: ['CONTACT', 'PROGRESS'],
      purpose: 'EVALUATION',
      requiresConsent: [],
      effectiveOn: '2026-07-01',
      expiresOn: '2026-06-01',
    },
    field: 'expiresOn',
    message: 'must be after effectiveOn',
    fix: '2027-06-30',
    done: "Agreement proposed; the recipient's org_admin accepts it next.",
  });
  await shot(page, 'agreement-proposed');
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
