import { describe, expect, it } from 'vitest';
import type { Flow } from './api/types';
import { stepFor } from './flow';

const flow = (f: Partial<Flow>): Flow => ({
  state: 'mfa_required',
  expires_at: '2030-01-01T00:00:00Z',
  methods: ['totp', 'email'],
  attempts_left: 5,
  ...f,
});

describe('stepFor', () => {
  it('follows the server state', () => {
    expect(stepFor(flow({ state: 'mfa_setup_required', methods: [] }))).toEqual({ kind: 'setup' });
    expect(stepFor(flow({ state: 'email_sent' }))).toEqual({ kind: 'code', method: 'email' });
    expect(stepFor(flow({ state: 'authenticated' }))).toEqual({ kind: 'authenticated' });
  });

  it('asks for a choice when several methods are offered', () => {
    expect(stepFor(flow({}))).toEqual({ kind: 'choose' });
    expect(stepFor(flow({ methods: ['totp', 'webauthn'] }))).toEqual({ kind: 'choose' });
  });

  it('goes to the chosen method', () => {
    expect(stepFor(flow({}), 'totp')).toEqual({ kind: 'code', method: 'totp' });
    expect(stepFor(flow({}), 'email')).toEqual({ kind: 'sendEmail' });
    expect(stepFor(flow({ methods: ['totp', 'webauthn'] }), 'webauthn')).toEqual({ kind: 'webauthn' });
  });

  it('skips the choice when there is only one method', () => {
    expect(stepFor(flow({ methods: ['totp'] }))).toEqual({ kind: 'code', method: 'totp' });
    expect(stepFor(flow({ methods: ['email'] }))).toEqual({ kind: 'sendEmail' });
    expect(stepFor(flow({ methods: ['webauthn'] }))).toEqual({ kind: 'webauthn' });
  });
});
