// Every screen of the SPA against a scripted API: content, focus, the
// messages for problems, accessibility (axe) and the Content-Security-Policy.
// Runs on the built SPA (npm run build), served with the Go server's CSP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkA11y, focused, launch, screenshotDir, shot } from './lib/browser.mjs';
import { flows, mockApi, problem, session, totpSetup } from './lib/mock-api.mjs';
import { serveDist } from './lib/static-server.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
let server;

before(async () => {
  assert.ok(existsSync(dist + 'index.html'), 'frontend/dist is missing: run npm run build first');
  server = await serveDist(dist);
  console.log(`# screenshots: ${screenshotDir}`);
});
after(() => server?.close());

/** open starts a browser on the SPA with the given API script. */
async function open(handlers, options) {
  const b = await launch(options);
  // Note whether a form was on screen when the WASM runtime was requested.
  await b.page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('script[src*="wasm_exec"]')) {
        globalThis.formBeforeWasm = !!document.querySelector('form');
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const sent = await mockApi(b.page, handlers);
  await b.page.goto(server.url + (options?.path ?? '/'));
  return { ...b, sent };
}

describe('screens with a scripted API', () => {
  it('login: fields, labels, focus, wrong password', async () => {
    const b = await open({ 'POST /login': problem(401, 'bad_credentials') });
    try {
      const { page } = b;
      await page.getByRole('heading', { name: 'ログイン' }).waitFor();
      assert.equal(await page.getAttribute('#username', 'autocomplete'), 'username');
      assert.equal(await page.getAttribute('#password', 'autocomplete'), 'current-password');
      assert.equal(await focused(page), 'username');
      assert.equal(await page.getByRole('link', { name: 'パスワードを忘れた場合' }).getAttribute('href'), '/password/forgot');
      await page.waitForFunction(() => globalThis.kanmon?.ready === true);
      assert.equal(await page.evaluate(() => globalThis.formBeforeWasm), true, 'WASM loaded only after the form');
      await shot(page, 'login-ja');
      await checkA11y(page, 'login');

      await page.fill('#username', 'taro');
      await page.fill('#password', 'wrong');
      await page.keyboard.press('Enter');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.equal(await alert.textContent(), 'ユーザー名またはパスワードが正しくありません。');
      assert.equal(await focused(page), 'alert');
      assert.deepEqual(b.sent.at(-1).body, { username: 'taro', password: 'wrong' });
      assert.equal(b.sent.at(-1).headers['content-type'], 'application/json');
      await shot(page, 'login-error-ja');
      await checkA11y(page, 'login with error');
      assert.deepEqual(b.cspViolations, []);
    } finally {
      await b.close();
    }
  });

  it('MFA setup: QR code, grouped secret from WASM, copy, warning, code with full-width digits', async () => {
    const b = await open({
      'GET /login/flow': { body: flows.setup() },
      'POST /login/totp/setup': { body: totpSetup },
      'POST /login/totp/activate': { body: flows.authenticated() },
      'GET /session': (() => {
        let n = 0; // the first call (on load) finds no session, the second one does
        return () => (n++ === 0 ? problem(401, 'unauthenticated') : { body: session() });
      })(),
    });
    try {
      const { page } = b;
      await page.getByRole('heading', { name: 'マルチファクター認証の設定' }).waitFor();
      await page.waitForFunction(() => globalThis.kanmon?.ready === true);
      assert.equal(await page.getByTestId('secret').textContent(), 'JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
      assert.match(await page.getByRole('img').getAttribute('src'), /^data:image\/png;base64,/);
      const text = await page.locator('main').textContent();
      for (const s of ['Google Authenticator', 'Microsoft Authenticator', '2FA Client', '再表示できません', 'パスワードを忘れた場合']) {
        assert.ok(text.includes(s), s);
      }
      assert.equal(await focused(page), 'setup-code');
      await page.getByRole('button', { name: 'コピー' }).click();
      await page.getByText('コピーしました。').waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), totpSetup.secret);
      await shot(page, 'setup-ja');
      await checkA11y(page, 'setup');

      await page.fill('#setup-code', '１２３ー４５６');
      assert.equal(await page.inputValue('#setup-code'), '123 456');
      await page.getByRole('button', { name: 'デバイスのペアリングとログイン' }).click();
      await page.getByRole('heading', { name: 'ログインしました' }).waitFor();
      assert.deepEqual(b.sent.find((r) => r.key === 'POST /login/totp/activate').body, { code: '123456' });
      assert.equal(await page.getByTestId('factors').textContent(), 'パスワード、認証アプリ');
      await shot(page, 'signed-in-ja');
      await checkA11y(page, 'signed in');
      assert.deepEqual(b.cspViolations, []);
    } finally {
      await b.close();
    }
  });

  it('code field: hint for invalid characters, incomplete code caught before the server', async () => {
    const b = await open({ 'GET /login/flow': { body: { ...flows.choose(), methods: ['totp'] } } });
    try {
      const { page } = b;
      await page.locator('#verify-code').waitFor();
      assert.equal(await page.getAttribute('#verify-code', 'autocomplete'), 'one-time-code');
      assert.equal(await page.getAttribute('#verify-code', 'inputmode'), 'numeric');
      await page.fill('#verify-code', '12a');
      assert.equal(await page.getAttribute('#verify-code', 'aria-invalid'), 'true');
      await page.getByText('数字以外の文字が含まれています').waitFor();
      await page.fill('#verify-code', '123');
      await page.getByRole('button', { name: '検証' }).click();
      assert.equal(await page.getByRole('alert').textContent(), '6桁の数字を入力してください。');
      assert.equal(b.sent.filter((r) => r.key === 'POST /login/verify').length, 0);
    } finally {
      await b.close();
    }
  });

  it('method choice → e-mail code with resend countdown → wrong code → too many attempts', async () => {
    let verifies = 0;
    const b = await open({
      'GET /login/flow': { body: flows.choose() },
      'POST /login/email/send': () => ({ body: flows.emailSent() }), // resend_after counts from now
      'POST /login/verify': () =>
        ++verifies === 1 ? problem(401, 'code_invalid', { attempts_left: 2 }) : problem(401, 'flow_exhausted'),
    });
    try {
      const { page } = b;
      await page.getByRole('radio', { name: '認証アプリから検証コードを取得' }).waitFor();
      assert.equal(await focused(page), 'input');
      await page.getByText('t***@example.jp').waitFor();
      await shot(page, 'choose-ja');
      await checkA11y(page, 'method choice');

      // Keyboard only: arrow to the e-mail choice, then Continue.
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByText('t***@example.jp に送信した6桁のコード').waitFor();
      assert.equal(await focused(page), 'verify-code');
      assert.deepEqual(b.sent.find((r) => r.key === 'POST /login/email/send').body, { lang: 'ja' });
      const resend = page.getByRole('button', { name: /コードを再送信（0:[0-4]\d 後に可能）/ });
      await resend.waitFor();
      assert.equal(await resend.getAttribute('aria-disabled'), 'true');
      for (const label of ['今後8時間、このブラウザのMFAを試さないでください', 'モバイル: 生体認証またはFIDO2セキュリティキーを設定']) {
        await page.getByRole('checkbox', { name: label }).waitFor();
      }
      await page.getByRole('checkbox', { name: '今後8時間、このブラウザのMFAを試さないでください' }).check();
      await shot(page, 'email-code-ja');
      await checkA11y(page, 'e-mail code');

      await page.fill('#verify-code', '111111');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').getByText('コードが正しくありません。あと2回入力できます。').waitFor();
      assert.equal(await focused(page), 'alert');
      assert.deepEqual(b.sent.find((r) => r.key === 'POST /login/verify').body, {
        method: 'email',
        code: '111111',
        trust_browser: true,
        setup_webauthn: false,
      });
      await shot(page, 'code-wrong-ja');
      await checkA11y(page, 'wrong code');

      await page.keyboard.press('Shift+Tab'); // back into the form from the alert
      await page.getByRole('button', { name: '検証' }).click();
      await page.getByRole('heading', { name: 'ログイン' }).waitFor();
      await page.getByText('コードの入力誤りが上限に達しました').waitFor();
      assert.equal(await focused(page), 'alert');
      assert.deepEqual(b.cspViolations, []);
    } finally {
      await b.close();
    }
  });

  it('rate limit, busy server and unreachable server messages', async () => {
    const b = await open({ 'POST /login': problem(429, 'rate_limited', { retry_after: 600 }) });
    try {
      const { page } = b;
      await page.fill('#username', 'taro');
      await page.fill('#password', 'pw');
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.getByText('10分ほど待ってから').waitFor();
      await page.unroute('**/api/v1/**');
      await page.route('**/api/v1/login', (r) => r.fulfill({ status: 503, contentType: 'text/html', body: '<h1>503</h1>' }));
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.getByText('ただいま混み合っています').waitFor();
      await page.unroute('**/api/v1/login');
      await page.route('**/api/v1/login', (r) => r.abort('connectionrefused'));
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.getByText('サーバーに接続できません').waitFor();
      await shot(page, 'login-network-ja');
    } finally {
      await b.close();
    }
  });

  it('busy indicator while a request runs', async () => {
    let release;
    const b = await open({});
    try {
      const { page } = b;
      await page.route('**/api/v1/login', async (r) => {
        await new Promise((res) => (release = res));
        await r.fulfill({ status: 401, contentType: 'application/problem+json', body: JSON.stringify(problem(401, 'bad_credentials').body) });
      });
      await page.fill('#username', 'taro');
      await page.fill('#password', 'pw');
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.locator('form[aria-busy="true"] button[type="submit"]:disabled .spinner').waitFor();
      await shot(page, 'login-busy-ja');
      release();
      await page.getByRole('alert').waitFor();
      assert.equal(await page.locator('form').getAttribute('aria-busy'), 'false');
    } finally {
      await b.close();
    }
  });

  it('English from the browser, and the toggle switches and is remembered', async () => {
    const b = await open({}, { locale: 'en-US' });
    try {
      const { page } = b;
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await shot(page, 'login-en');
      await checkA11y(page, 'login (en)');
      await page.getByRole('button', { name: '日本語' }).click();
      await page.getByRole('heading', { name: 'ログイン' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'ja');
      await page.reload();
      await page.getByRole('heading', { name: 'ログイン' }).waitFor();
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByRole('heading', { name: 'Forgot your password' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/password/forgot');
      await checkA11y(page, 'forgot (en)');
      await page.goBack();
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
    } finally {
      await b.close();
    }
  });

  it('360 px wide: setup and choice fit without horizontal scrolling', async () => {
    const b = await open(
      { 'GET /login/flow': { body: flows.setup() }, 'POST /login/totp/setup': { body: totpSetup } },
      { viewport: { width: 360, height: 740 } },
    );
    try {
      const { page } = b;
      await page.getByTestId('secret').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'horizontal scroll at 360 px');
      await shot(page, 'setup-360-ja');
    } finally {
      await b.close();
    }
  });
});
