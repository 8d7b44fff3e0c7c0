// Wire types of the Kanmon API (/api/v1), taken from the OpenAPI document
// (openapi/openapi.json → schema.d.ts by `npm run gen:api`), so a change of
// the contract shows up as a type error here or in the screens. The rest of
// the SPA imports them from this file only.
import type { components } from './schema';

type Schemas = components['schemas'];

/** The second factors a login flow can offer. */
export type Method = Schemas['auth.Method'];

/** Where a login flow stands; the server decides, the SPA renders it. */
export type FlowState = Schemas['Flow']['state'];

/** A login flow as answered by POST /login and every later step. */
export type Flow = Schemas['Flow'];

/** POST /login/totp/setup: what the authenticator app needs. */
export type TotpSetup = Schemas['TOTPSetup'];

/** GET /session: who is signed in and until when. */
export type Session = Schemas['Session'];

export type LoginRequest = Schemas['LoginRequest'];
export type VerifyRequest = Schemas['VerifyRequest'];
export type EmailSendRequest = Schemas['EmailSendRequest'];
export type WebAuthnCredential = Schemas['WebAuthnCredential'];

/**
 * The credential members of the WebAuthn finish requests carry the browser's
 * PublicKeyCredential as JSON, which the document can only call an object.
 */
export type WebAuthnLoginFinishRequest = Omit<Schemas['WebAuthnLoginFinishRequest'], 'credential'> & { credential: unknown };
export type WebAuthnRegisterFinishRequest = Omit<Schemas['WebAuthnRegisterFinishRequest'], 'credential'> & { credential: unknown };

/** Options for navigator.credentials, passed to the WASM helper as JSON. */
export type WebAuthnOptions = Schemas['WebAuthnOptions'];

/**
 * RFC 9457 problem details with Kanmon's stable `code`. The document marks
 * every field optional; the client fills in the ones the SPA relies on.
 */
export type Problem = Schemas['Problem'] & {
  type: string;
  title: string;
  status: number;
  code: string;
};

/** Every machine-readable error code the API answers with (api/problem.go). */
export const problemCodes = [
  'invalid_input',
  'bad_credentials',
  'code_invalid',
  'code_reused',
  'code_expired',
  'flow_not_found',
  'flow_expired',
  'flow_exhausted',
  'step_not_allowed',
  'conflict',
  'last_factor',
  'webauthn_failed',
  'challenge_expired',
  'rate_limited',
  'resend_too_soon',
  'busy',
  'unauthenticated',
  'forbidden_origin',
  'unsupported_media_type',
  'body_too_large',
  'method_not_allowed',
  'not_found',
  'internal',
] as const;

export type ProblemCode = (typeof problemCodes)[number];
