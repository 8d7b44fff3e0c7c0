// Wire types of the Kanmon API (/api/v1). The rest of the SPA imports them from
// here only, so the source can move from these hand-written shapes to the ones
// generated from openapi/openapi.json without touching any screen.

/** The second factors a login flow can offer. */
export type Method = 'totp' | 'email' | 'webauthn';

/** Where a login flow stands; the server decides, the SPA renders it. */
export type FlowState = 'mfa_setup_required' | 'mfa_required' | 'email_sent' | 'authenticated';

/** A login flow as answered by POST /login and every later step. */
export interface Flow {
  state: FlowState;
  /** RFC 3339 time after which the flow is gone and the user starts over. */
  expires_at: string;
  methods: Method[];
  /** The registered e-mail address, masked (e.g. "t***@example.jp"). */
  email_hint?: string;
  attempts_left: number;
  /** RFC 3339 time before which another e-mail code cannot be requested. */
  resend_after?: string;
  offer_webauthn_setup?: boolean;
}

/** POST /login/totp/setup: what the authenticator app needs. */
export interface TotpSetup {
  secret: string;
  otpauth_uri: string;
  /** A data:image/png;base64,… URL of the QR code. */
  qr_code: string;
  issuer: string;
  account: string;
}

/** GET /session: who is signed in and until when. */
export interface Session {
  user: { id: string; username: string; email?: string };
  /** The factors that signed this session in, e.g. ["password", "totp"]. */
  factors: string[];
  authenticated_at: string;
  expires_at: string;
  idle_expires_at: string;
}

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

/** RFC 9457 problem details with Kanmon's stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  /** Seconds to wait before trying again (rate_limited, resend_too_soon, busy). */
  retry_after?: number;
  attempts_left?: number;
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface VerifyRequest {
  method: 'totp' | 'email';
  code: string;
  trust_browser?: boolean;
  setup_webauthn?: boolean;
}
