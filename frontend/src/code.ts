// One-time-code and secret helpers. Each uses the Go WASM helper when it has
// loaded (so the browser and the server share wasm/codefmt's rules) and a small
// TypeScript twin of the same rules before that. The server normalises again,
// so the fallback only has to be right, not authoritative.
import { currentWasm, type KanmonWasm, type NormalizeResult } from './wasm';

export const codeLength = 6;

// Mirrors codefmt.isSeparator: spaces and the hyphen look-alikes an IME or a
// mail client produces.
const separators = new Set([' ', '\t', '\u3000', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '\uFF0D', '\u30FC', '\uFF70']);

/** fallbackNormalize is the TypeScript version of codefmt.Digits. */
export function fallbackNormalize(raw: string, length: number): NormalizeResult {
  let digits = '';
  for (const ch of raw.trim()) {
    if (ch >= '0' && ch <= '9') digits += ch;
    else if (ch >= '０' && ch <= '９') digits += String.fromCharCode(ch.charCodeAt(0) - 0xff10 + 0x30);
    else if (!separators.has(ch)) return { ok: false, reason: 'invalid_char' };
  }
  return length >= 1 && digits.length === length ? { ok: true, digits } : { ok: false, reason: 'length' };
}

/** group inserts a space after every `size` characters ("123456" → "123 456"). */
export function group(s: string, size: number): string {
  return Array.from(s).reduce((out, ch, i) => out + (i > 0 && i % size === 0 ? ' ' : '') + ch, '');
}

export function normalizeCode(raw: string, length = codeLength, k: KanmonWasm | undefined = currentWasm()): NormalizeResult {
  return k ? k.normalizeCode(raw, length) : fallbackNormalize(raw, length);
}

export function formatCode(digits: string, k: KanmonWasm | undefined = currentWasm()): string {
  return k ? k.formatCode(digits) : group(digits, 3);
}

export function groupSecret(secret: string, k: KanmonWasm | undefined = currentWasm()): string {
  if (k) return k.groupSecret(secret);
  return group(secret.replace(/\s+/g, '').toUpperCase().replace(/=+$/, ''), 4);
}

/** What a code field knows about its current text. */
export interface CodeInput {
  /** Exactly `codeLength` ASCII digits, or '' while incomplete or invalid. */
  digits: string;
  /** The text contains something other than digits, spaces and hyphens. */
  invalid: boolean;
}

export function readCode(raw: string, k: KanmonWasm | undefined = currentWasm()): CodeInput {
  const r = normalizeCode(raw, codeLength, k);
  if (r.ok) return { digits: r.digits, invalid: false };
  return { digits: '', invalid: r.reason === 'invalid_char' };
}
