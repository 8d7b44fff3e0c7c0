// Which step to show for a login flow. The server owns the state machine; the
// SPA only maps its answer to a screen, plus one choice of its own: which
// method the user picked when several were offered.
import type { Flow, Method } from './api/types';

export type Step =
  | { kind: 'setup' }
  | { kind: 'choose' }
  | { kind: 'code'; method: 'totp' | 'email' }
  /** e-mail was chosen but no code has been sent yet */
  | { kind: 'sendEmail' }
  | { kind: 'webauthn' }
  | { kind: 'authenticated' };

/**
 * stepFor maps a flow to the step to show. `chosen` is the method the user
 * picked on the choice screen; with a single method offered there is nothing
 * to choose, so that method is taken directly.
 */
export function stepFor(flow: Flow, chosen?: Method): Step {
  switch (flow.state) {
    case 'authenticated':
      return { kind: 'authenticated' };
    case 'mfa_setup_required':
      return { kind: 'setup' };
    case 'email_sent':
      return { kind: 'code', method: 'email' };
    case 'mfa_required': {
      const method = chosen ?? (flow.methods.length === 1 ? flow.methods[0] : undefined);
      if (method === 'totp') return { kind: 'code', method: 'totp' };
      if (method === 'email') return { kind: 'sendEmail' };
      if (method === 'webauthn') return { kind: 'webauthn' };
      return { kind: 'choose' };
    }
  }
}
