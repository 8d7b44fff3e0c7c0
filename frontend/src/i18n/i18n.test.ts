import { describe, expect, it } from 'vitest';
import { catalogues, detectLang } from './index';

// tsc already refuses a missing key; this checks what types cannot: that no
// message is empty and that both languages agree on which entries take arguments.
describe('catalogues', () => {
  const { ja, en } = catalogues;

  it('have the same keys with the same kinds of value', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      expect(typeof en[key], key).toBe(typeof ja[key]);
      if (typeof ja[key] === 'function') {
        expect((en[key] as (...a: never[]) => string).length, key).toBe((ja[key] as (...a: never[]) => string).length);
      }
    }
  });

  it('have no empty message', () => {
    for (const cat of [ja, en]) {
      for (const [key, value] of Object.entries(cat)) {
        if (typeof value === 'string') expect(value.trim(), key).not.toBe('');
      }
    }
  });

  it('name the same factors', () => {
    expect(Object.keys(en.factorNames).sort()).toEqual(Object.keys(ja.factorNames).sort());
  });

  it('keep the manual wording for buttons and choices', () => {
    expect(ja.pairButton).toBe('デバイスのペアリングとログイン');
    expect(ja.methodTotp).toBe('認証アプリから検証コードを取得');
    expect(ja.methodEmail).toBe('以下に送信された検証コードを取得');
    expect(ja.methodWebauthn).toBe('生体認証またはFIDO2セキュリティキーを使用');
    expect(ja.trustBrowser).toBe('今後8時間、このブラウザのMFAを試さないでください');
    expect(ja.setupWebauthn).toBe('モバイル: 生体認証またはFIDO2セキュリティキーを設定');
    expect(ja.verifyButton).toBe('検証');
    expect(ja.forgotLink).toBe('パスワードを忘れた場合');
  });
});

describe('detectLang', () => {
  it.each([
    [null, ['ja-JP', 'en-US'], 'ja'],
    [null, ['en-US', 'ja'], 'en'],
    [null, ['fr-FR', 'en-GB'], 'en'],
    [null, ['fr-FR', 'de'], 'ja'],
    [null, [], 'ja'],
    ['en', ['ja-JP'], 'en'],
    ['ja', ['en-US'], 'ja'],
    ['xx', ['en-US'], 'en'],
  ] as const)('stored %s, browser %j → %s', (stored, preferred, want) => {
    expect(detectLang(stored, preferred)).toBe(want);
  });
});
