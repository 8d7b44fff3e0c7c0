// Wire types of the Kanmon API (/api/v1), taken from the OpenAPI document
// (openapi/openapi.json → schema.d.ts by `npm run gen:api`). The rest of the
// SPA imports them from here only.
//
// The SPA is written for the whole login contract of the issue, a little
// ahead of what the server documents so far: e-mail codes, WebAuthn, the
// resend countdown and the check boxes of the code screen. Those parts are
// the `Ahead` types below; each is checked against the generated type, so the
// build fails if the server's document and the SPA disagree on a shared field.
import type { components } from './schema';

type Schemas = components['schemas'];

/** The second factors a login flow can offer. */
export type Method = Schemas['auth.Method'] | 'email' | 'webauthn';

/** Where a login flow stands; the server decides, the SPA renders it. */
export type FlowState = Schemas['Flow']['state'] | 'email_sent';

/** A login flow as answered by POST /login and every later step. */
export type Flow = Omit<Schemas['Flow'], 'state' | 'methods'> & {
  state: FlowState;
  methods: Method[];
} & FlowAhead;

/** Flow fields for e-mail codes and WebAuthn, not in the document yet. */
interface FlowAhead {
  /** The registered e-mail address, masked (e.g. "t***@example.jp"). */
  email_hint?: string;
  /** RFC 3339 time before which another e-mail code cannot be requested. */
  resend_after?: string;
  offer_webauthn_setup?: boolean;
}

/** POST /login/totp/setup: what the authenticator app needs. */
export type TotpSetup = Schemas['TOTPSetup'];

/** GET /session: who is signed in and until when. */
export type Session = Schemas['Session'];

export type LoginRequest = Schemas['LoginRequest'];

/** POST /login/email/send: the language of the mail (Japanese unless "en"). */
export interface EmailSendRequest {
  lang?: 'ja' | 'en';
}

export type VerifyRequest = Omit<Schemas['VerifyRequest'], 'method'> & {
  method: 'totp' | 'email';
  trust_browser?: boolean;
  setup_webauthn?: boolean;
};

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

/** Every machine-readable error code the API documents. */
export const problemCodes = [
  'invalid_input',
  'bad_credentials',
  'code_invalid',
  'code_reused',
  'flow_not_found',
  'flow_expired',
  'flow_exhausted',
  'step_not_allowed',
  'rate_limited',
  'resend_too_soon',
  'busy',
  'unauthenticated',
  'forbidden_origin',
  'unsupported_media_type',
  'body_too_large',
  'not_found',
  'internal',
] as const;

export type ProblemCode = (typeof problemCodes)[number];

// Compile-time checks: every answer the document allows is one the SPA handles.
type Assert<T extends true> = T;
type Fits<A, B> = [A] extends [B] ? true : false;
export type _Checks = [
  Assert<Fits<Schemas['Flow'], Flow>>,
  Assert<Fits<Schemas['VerifyRequest'], VerifyRequest>>,
];
