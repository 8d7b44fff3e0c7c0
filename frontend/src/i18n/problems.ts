// Turns an API problem into a sentence for the user. The table has a row for
// every documented code (the Record type enforces it), plus the SPA's own
// `network` code for when the server could not be reached.
import type { Problem, ProblemCode } from '../api/types';
import type { Catalogue } from './ja';

type Describe = (p: Problem, t: Catalogue) => string;

/** minutesToWait rounds a Retry-After in seconds up to whole minutes (at least 1). */
export function minutesToWait(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/** Codes the SPA raises itself, never sent by the server. */
export type LocalCode =
  | 'network'
  | 'code_incomplete'
  | 'webauthn_cancelled'
  | 'webauthn_unsupported'
  | 'webauthn_exists'
  | 'webauthn_error';

const describe: Record<ProblemCode | LocalCode, Describe> = {
  invalid_input: (_, t) => t.problem_invalid_input,
  bad_credentials: (_, t) => t.problem_bad_credentials,
  code_invalid: (p, t) => t.problem_code_invalid(p.attempts_left),
  code_reused: (_, t) => t.problem_code_reused,
  code_expired: (_, t) => t.problem_code_expired,
  flow_not_found: (_, t) => t.problem_flow_not_found,
  flow_expired: (_, t) => t.problem_flow_expired,
  flow_exhausted: (_, t) => t.problem_flow_exhausted,
  step_not_allowed: (_, t) => t.problem_step_not_allowed,
  conflict: (_, t) => t.problem_conflict,
  last_factor: (_, t) => t.problem_last_factor,
  webauthn_failed: (_, t) => t.problem_webauthn_failed,
  challenge_expired: (_, t) => t.problem_challenge_expired,
  rate_limited: (p, t) => t.problem_rate_limited(minutesToWait(p.retry_after ?? 60)),
  resend_too_soon: (_, t) => t.problem_resend_too_soon,
  busy: (p, t) => t.problem_busy(p.retry_after === undefined ? undefined : minutesToWait(p.retry_after)),
  unauthenticated: (_, t) => t.problem_unauthenticated,
  forbidden_origin: (_, t) => t.problem_forbidden_origin,
  unsupported_media_type: (_, t) => t.problem_unsupported_media_type,
  body_too_large: (_, t) => t.problem_body_too_large,
  method_not_allowed: (_, t) => t.problem_unsupported_media_type, // same advice: reload
  not_found: (_, t) => t.problem_not_found,
  internal: (_, t) => t.problem_internal,
  network: (_, t) => t.problem_network,
  code_incomplete: (_, t) => t.problem_code_incomplete,
  webauthn_cancelled: (_, t) => t.problem_webauthn_cancelled,
  webauthn_unsupported: (_, t) => t.problem_webauthn_unsupported,
  webauthn_exists: (_, t) => t.problem_webauthn_exists,
  webauthn_error: (_, t) => t.problem_webauthn_error,
};

export function problemMessage(p: Problem, t: Catalogue): string {
  const d = (describe as Record<string, Describe | undefined>)[p.code];
  return d ? d(p, t) : t.problem_unknown(p.code);
}

/**
 * Codes after which the screen no longer matches the login flow: the flow is
 * gone (the SPA goes back to the login form and shows the message there), or
 * it moved on elsewhere, in another tab say (`step_not_allowed`: the SPA asks
 * the server where the login stands).
 */
export const restartCodes: ReadonlySet<string> = new Set([
  'flow_not_found',
  'flow_expired',
  'flow_exhausted',
  'step_not_allowed',
]);
