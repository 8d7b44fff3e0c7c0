import { describe, expect, it } from 'vitest';
import { ceremonyProblem } from './webauthn';

describe('ceremonyProblem', () => {
  it.each([
    ['NotAllowedError', 'webauthn_cancelled'],
    ['AbortError', 'webauthn_cancelled'],
    ['NotSupportedError', 'webauthn_unsupported'],
    ['SecurityError', 'webauthn_unsupported'],
    ['InvalidStateError', 'webauthn_exists'],
    ['UnknownError', 'webauthn_error'],
  ])('%s → %s', (name, code) => {
    const e = new Error('x');
    e.name = name;
    expect(ceremonyProblem(e)).toBe(code);
  });

  it('treats anything else as a general error', () => {
    expect(ceremonyProblem('boom')).toBe('webauthn_error');
    expect(ceremonyProblem(undefined)).toBe('webauthn_error');
  });
});
