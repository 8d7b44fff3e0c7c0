// End to end against the real kanmon binary (KANMON_BIN, default ./bin/kanmon,
// built with the SPA embedded): first login with authenticator setup, logout,
// second login with a wrong code and then a full-width one, the language
// switch, and axe on every screen on the way.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkA11y, focused, launch, screenshotDir, shot } from './lib/browser.mjs';
import { startKanmon } from './lib/kanmon-server.mjs';
import { totp } from './lib/totp.mjs';

const user = 'sato-kensetsu';
const password = 'correct horse battery staple';
let server;
let browser;
let secret; // learnt from the setup screen, used by the later logins

before(async () => {
  server = await startKanmon();
  server.addUser(user, password);
  browser = await launch();
  console.log(`# screenshots: ${screenshotDir}`);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const toFullWidth = (code) => code.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

// Keyboard only, as a user without a mouse would: the form starts focused on
// the user name.
async function logIn(page) {
  await page.goto(server.url + '/');
  await page.getByRole('heading', { name: 'ログイン' }).waitFor();
  assert.equal(await focused(page), 'username');
  await page.keyboard.type(user);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

describe('login against the real server', { concurrency: false }, () => {
  it('the login screen switches to English and back', async () => {
    const { page } = browser;
    await page.goto(server.url + '/');
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await checkA11y(page, 'login');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('User name').waitFor();
    await shot(page, 'real-login-en');
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
  });

  it('a wrong password is refused with a message', async () => {
    const { page } = browser;
    await page.getByLabel('ユーザー名').fill(user);
    await page.getByLabel('パスワード', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('alert').getByText('ユーザー名またはパスワードが正しくありません。').waitFor();
  });

  it('first login: set up the authenticator from the QR screen and log in', async () => {
    const { page } = browser;
    await logIn(page);
    await page.getByRole('heading', { name: 'マルチファクター認証の設定' }).waitFor();
    const grouped = await page.getByTestId('secret').textContent();
    assert.match(grouped, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, 'secret grouped by four');
    secret = grouped.replace(/ /g, '');
    assert.match(await page.getByRole('img').getAttribute('src'), /^data:image\/png;base64,/);

    // A reload resumes the flow at the same step with the same secret.
    await page.reload();
    await page.getByTestId('secret').waitFor();
    assert.equal((await page.getByTestId('secret').textContent()).replace(/ /g, ''), secret);
    await page.waitForFunction(() => globalThis.kanmon?.ready === true);
    assert.equal(await focused(page), 'setup-code');
    await shot(page, 'real-setup');
    await checkA11y(page, 'setup');

    await page.keyboard.type(totp(secret)); // the code field has the focus
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'ログインしました' }).waitFor();
    assert.equal(await page.getByTestId('username').textContent(), user);
    assert.equal(await page.getByTestId('factors').textContent(), 'パスワード、認証アプリ');
    await shot(page, 'real-signed-in');
    await checkA11y(page, 'signed in');

    // A reload keeps the session.
    await page.reload();
    await page.getByRole('heading', { name: 'ログインしました' }).waitFor();
  });

  it('logout returns to the login screen', async () => {
    const { page } = browser;
    await page.getByRole('heading', { name: 'ログインしました' }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'ログアウト');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await page.getByRole('status').getByText('ログアウトしました。').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
  });

  it('second login: a wrong code is refused, a full-width code is accepted', async () => {
    const { page } = browser;
    await logIn(page);
    // With a single method the choice is skipped; with several, take the app.
    const app = page.getByRole('radio', { name: '認証アプリから検証コードを取得' });
    const code = page.locator('#verify-code');
    await Promise.race([app.waitFor(), code.waitFor()]);
    if (await app.isVisible()) {
      await shot(page, 'real-choose');
      await checkA11y(page, 'method choice');
      await app.check();
      await page.getByRole('button', { name: '続行' }).click();
    }
    await code.waitFor();
    assert.equal(await focused(page), 'verify-code');

    // The next time step's code: the first login used this step's (no replay).
    const next = totp(secret, Date.now() + 30_000);
    const valid = new Set([-30_000, 0, 30_000, 60_000].map((d) => totp(secret, Date.now() + d)));
    const wrong = ['000000', '111111', '222222'].find((c) => !valid.has(c));
    await page.keyboard.type(wrong);
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.getByText(/^コードが正しくありません。/).waitFor();
    assert.equal(await focused(page), 'alert');
    await shot(page, 'real-code-wrong');
    await checkA11y(page, 'wrong code');

    await code.fill(toFullWidth(next));
    assert.equal(await code.inputValue(), `${next.slice(0, 3)} ${next.slice(3)}`);
    await page.getByRole('checkbox', { name: '今後8時間、このブラウザのMFAを試さないでください' }).check();
    await page.getByRole('button', { name: '検証' }).click();
    await page.getByRole('heading', { name: 'ログインしました' }).waitFor();
    assert.equal(await page.getByTestId('username').textContent(), user);
  });

  it('third login from the trusted browser needs no second factor', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await logIn(page);
    await page.getByRole('heading', { name: 'ログインしました' }).waitFor();
    assert.equal(await page.getByTestId('factors').textContent(), 'パスワード、信頼済みのブラウザ');
    await checkA11y(page, 'signed in, trusted browser');
  });

  it('after 「このブラウザの信頼を解除」 the second factor is asked again', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'このブラウザの信頼を解除' }).click();
    await page.getByRole('status').getByText('このブラウザの信頼を解除しました。').waitFor();
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await logIn(page);
    await page.getByRole('heading', { name: 'マルチファクター認証' }).waitFor();
    assert.deepEqual(browser.cspViolations, [], 'Content-Security-Policy violations');
  });
});
