// WebAuthn ceremonies through the WASM helper, which converts between the
// server's JSON (base64url) and the browser's ArrayBuffers. Every check is
// the server's; here a browser failure becomes a problem a screen can show.
import { ApiError, localProblem } from './api/client';
import { loadWasm } from './wasm';

// The error names the WASM helper passes through (wasm/errors.go).
const problemOf: Record<string, string> = {
  NotAllowedError: 'webauthn_cancelled', // the user cancelled, or it timed out
  AbortError: 'webauthn_cancelled',
  NotSupportedError: 'webauthn_unsupported',
  SecurityError: 'webauthn_unsupported', // insecure context or wrong RP ID: nothing the user can fix
  InvalidStateError: 'webauthn_exists',
};

/** ceremonyProblem turns a rejected ceremony into the SPA's problem code. */
export function ceremonyProblem(e: unknown): string {
  const name = e && typeof e === 'object' && 'name' in e ? String(e.name) : '';
  return problemOf[name] ?? 'webauthn_error';
}

/**
 * ceremony runs navigator.credentials.get ("getAssertion") or .create
 * ("createCredential") with the server's options and returns the credential
 * as the JSON value the server's finish endpoint reads.
 */
export async function ceremony(kind: 'getAssertion' | 'createCredential', options: unknown): Promise<unknown> {
  const wasm = await loadWasm().catch(() => undefined);
  const run = wasm?.[kind];
  if (!run) throw new ApiError(localProblem('webauthn_error'));
  try {
    return JSON.parse(await run(JSON.stringify(options)));
  } catch (e) {
    throw new ApiError(localProblem(ceremonyProblem(e)));
  }
}
