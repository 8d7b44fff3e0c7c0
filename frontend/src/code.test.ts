import { describe, expect, it, vi } from 'vitest';
import { fallbackNormalize, formatCode, group, groupSecret, readCode } from './code';
import type { KanmonWasm } from './wasm';

// The same cases as wasm/codefmt's Go tests: the fallback must agree with the
// WASM helper it stands in for.
describe('fallbackNormalize', () => {
  it.each([
    ['123456', '123456'],
    ['000123', '000123'],
    ['１２３４５６', '123456'],
    ['12３4５6', '123456'],
    ['123 456', '123456'],
    ['123\t456', '123456'],
    ['123\u3000456', '123456'],
    [' \t\n123456\r\n', '123456'],
    ['\u3000１２３４５６\u3000', '123456'],
    ['123-456', '123456'],
    ['123－456', '123456'],
    ['123ー456', '123456'],
    ['123ｰ456', '123456'],
    ['123\u2212456', '123456'],
    ['123\u2013456', '123456'],
  ])('accepts %j', (raw, digits) => {
    expect(fallbackNormalize(raw, 6)).toEqual({ ok: true, digits });
  });

  it.each([['12a456'], ['123.456'], ['١٢٣٤٥٦'], ['12345６x'], ['123\n456']])('rejects characters in %j', (raw) => {
    expect(fallbackNormalize(raw, 6)).toEqual({ ok: false, reason: 'invalid_char' });
  });

  it.each([[''], ['12345'], ['1234567'], ['   ']])('rejects the length of %j', (raw) => {
    expect(fallbackNormalize(raw, 6)).toEqual({ ok: false, reason: 'length' });
  });

  it('prefers invalid_char over length', () => {
    expect(fallbackNormalize('1x', 6)).toEqual({ ok: false, reason: 'invalid_char' });
  });

  it('refuses a length below one', () => {
    expect(fallbackNormalize('', 0)).toEqual({ ok: false, reason: 'length' });
  });
});

describe('formatting', () => {
  it('groups codes by three and secrets by four', () => {
    expect(group('123456', 3)).toBe('123 456');
    expect(formatCode('12345678', undefined)).toBe('123 456 78');
    expect(groupSecret('jbswy3dpehpk3pxp', undefined)).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('JBSW Y3DP EHPK 3PXP==', undefined)).toBe('JBSW Y3DP EHPK 3PXP');
  });
});

describe('readCode', () => {
  it('gives the digits of a complete code', () => {
    expect(readCode('１２３ ４５６', undefined)).toEqual({ digits: '123456', invalid: false });
  });
  it('flags invalid characters and waits for more digits', () => {
    expect(readCode('12a', undefined)).toEqual({ digits: '', invalid: true });
    expect(readCode('123', undefined)).toEqual({ digits: '', invalid: false });
  });
  it('uses the WASM helper when it is there', () => {
    const wasm = {
      normalizeCode: vi.fn(() => ({ ok: true as const, digits: '999999' })),
      formatCode: vi.fn(() => '999-999'),
      groupSecret: vi.fn(() => 'G'),
      maskEmail: vi.fn(() => 'm'),
    } satisfies KanmonWasm;
    expect(readCode('anything', wasm)).toEqual({ digits: '999999', invalid: false });
    expect(wasm.normalizeCode).toHaveBeenCalledWith('anything', 6);
    expect(formatCode('999999', wasm)).toBe('999-999');
    expect(groupSecret('s', wasm)).toBe('G');
  });
});
