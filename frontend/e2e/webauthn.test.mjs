// The other factors end to end against the real server, once for each kind of
// authenticator in Chromium's virtual authenticator (DevTools WebAuthn domain):
// a platform authenticator with user verification (biometrics) and a USB
// security key without it. The second login takes the e-mail path (a code read
// from the dev mailbox) with 「モバイル: …を設定」 ticked; for the first kind
// 「今後8時間…」 is ticked too, so the third login skips the second factor.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkA11y, launch, shot } from './lib/browser.mjs';
import { startKanmon } from './lib/kanmon-server.mjs';
import { totp } from './lib/totp.mjs';

const password = 'another long password';

const kinds = [
  {
    name: 'biometrics (platform authenticator)',
    user: 'suzuki-denki',
    trust: true,
    authenticator: { transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  },
  {
    name: 'USB security key',
    user: 'tanaka-shoji',
    trust: false,
    authenticator: { transport: 'usb', hasResidentKey: false, hasUserVerification: false },
  },
];

async function logIn(page, server, user) {
  await page.goto(server.url + '/');
  await page.getByLabel('ユーザー名').fill(user);
  await page.getByLabel('パスワード', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

async function choose(page, label) {
  await page.getByRole('radio', { name: label }).check();
  await page.getByRole('button', { name: '続行' }).click();
}

async function logOut(page) {
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await page.getByRole('heading', { name: 'ログイン' }).waitFor();
}

/** latestMailCode reads the newest six-digit code from the dev mailbox page. */
async function latestMailCode(server) {
  for (let i = 0; i < 50; i++) {
    const html = await (await fetch(server.url + '/dev/mail')).text();
    const m = html.match(/<pre>[\s\S]*?\b(\d{3}\s?\d{3})\b[\s\S]*?<\/pre>/);
    if (m) return m[1].replace(/\s/g, '');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no code in the dev mailbox');
}

for (const kind of kinds) {
  describe(`WebAuthn with a ${kind.name} against the real server`, { concurrency: false }, () => {
    let server;
    let browser;
    let secret;
    const { user } = kind;

    before(async () => {
      server = await startKanmon();
      server.addUser(user, password, 'keiri@' + user + '.example.jp');
      browser = await launch();
      const cdp = await browser.context.newCDPSession(browser.page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { protocol: 'ctap2', automaticPresenceSimulation: true, ...kind.authenticator },
      });
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    it('first login sets up the authenticator app', async () => {
      const { page } = browser;
      await logIn(page, server, user);
      const grouped = await page.getByTestId('secret').textContent();
      secret = grouped.replace(/ /g, '');
      await page.getByLabel('認証アプリに表示された6桁のコード').fill(totp(secret));
      await page.getByRole('button', { name: 'デバイスのペアリングとログイン' }).click();
      await page.getByRole('heading', { name: 'ログインしました' }).waitFor();
      await logOut(page);
    });

    const keyBox = 'モバイル: 生体認証またはFIDO2セキュリティキーを設定';
    const trustBox = '今後8時間、このブラウザのMFAを試さないでください';

    it('second login by e-mail code, asking for a key next time', async () => {
      const { page } = browser;
      await logIn(page, server, user);
      const masked = 'k***@' + user + '.example.jp';
      await page.getByText(masked).waitFor();
      await choose(page, /以下に送信された検証コードを取得/);
      await page.getByText(masked + ' に送信した6桁のコード').waitFor();
      await page.getByRole('button', { name: /コードを再送信（\d:\d\d 後に可能）/ }).waitFor();
      await shot(page, 'real-email-code');
      await checkA11y(page, 'e-mail code');
      await page.locator('#verify-code').fill(await latestMailCode(server));
      if (kind.trust) await page.getByRole('checkbox', { name: trustBox }).check();
      await page.getByRole('checkbox', { name: keyBox }).check();
      await page.getByRole('button', { name: '検証' }).click();
      await page.getByRole('heading', { name: 'ログインしました' }).waitFor();
      assert.equal(await page.getByTestId('factors').textContent(), 'パスワード、メールの検証コード');
      await logOut(page);
    });

    it('third login offers to register a key, and registers one', async () => {
      const { page } = browser;
      await logIn(page, server, user);
      if (!kind.trust) {
        await choose(page, '認証アプリから検証コードを取得');
        await page.locator('#verify-code').fill(totp(secret, Date.now() + 30_000)); // the first login used this step
        await page.getByRole('button', { name: '検証' }).click();
      } // else the trusted browser skips the second factor
      await page.getByRole('heading', { name: '生体認証またはFIDO2セキュリティキーの登録' }).waitFor();
      await shot(page, 'real-register-key');
      await checkA11y(page, 'register key');
      await page.getByLabel('登録名（任意。例: 事務所のPC）').fill('事務所のPC');
      await page.getByRole('button', { name: '登録する' }).click();
      await page.getByRole('heading', { name: 'ログインしました' }).waitFor();
      await page.getByText('生体認証またはFIDO2セキュリティキーを登録しました。').waitFor();
      if (kind.trust) {
        assert.equal(await page.getByTestId('factors').textContent(), 'パスワード、信頼済みのブラウザ');
        await page.getByRole('button', { name: 'このブラウザの信頼を解除' }).click();
        await page.getByRole('status').getByText('このブラウザの信頼を解除しました。').waitFor();
      }
      await logOut(page);
    });

    it('fourth login with the key', async () => {
      const { page } = browser;
      await logIn(page, server, user);
      await choose(page, '生体認証またはFIDO2セキュリティキーを使用');
      await shot(page, 'real-webauthn');
      await checkA11y(page, 'webauthn');
      await page.getByRole('button', { name: '生体認証またはFIDO2セキュリティキーを使用してログイン' }).click();
      await page.getByRole('heading', { name: 'ログインしました' }).waitFor();
      assert.match(await page.getByTestId('factors').textContent(), /生体認証／FIDO2セキュリティキー/);
      assert.deepEqual(browser.cspViolations, [], 'Content-Security-Policy violations');
    });
  });
}
