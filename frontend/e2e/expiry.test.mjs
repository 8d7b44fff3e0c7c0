// A login flow that runs out of time sends the user back to the login form
// with a message, against the real server started with a short flow TTL.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { focused, launch, shot } from './lib/browser.mjs';
import { startKanmon } from './lib/kanmon-server.mjs';

let server;
let browser;

before(async () => {
  server = await startKanmon(['--flow-ttl', '2s']);
  server.addUser('yamada', 'a long enough password');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

it('an expired login flow returns to the login form with a message', async () => {
  const { page } = browser;
  await page.goto(server.url + '/');
  await page.getByLabel('ユーザー名').fill('yamada');
  await page.getByLabel('パスワード', { exact: true }).fill('a long enough password');
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByRole('heading', { name: 'マルチファクター認証の設定' }).waitFor();
  await page.waitForTimeout(2500);
  await page.getByLabel('認証アプリに表示された6桁のコード').fill('123456');
  await page.getByRole('button', { name: 'デバイスのペアリングとログイン' }).click();
  await page.getByRole('heading', { name: 'ログイン' }).waitFor();
  const alert = page.getByRole('alert');
  assert.match(await alert.textContent(), /もう一度ログインしてください。$/);
  assert.equal(await focused(page), 'alert');
  await shot(page, 'real-flow-expired');
});
