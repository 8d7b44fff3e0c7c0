// A small typed client for the Kanmon API. Every call is same-origin with
// cookies (the login flow and the session live in HttpOnly cookies) and sends
// a JSON body on POST and DELETE, `{}` when there is nothing to say, because the server
// accepts only same-origin JSON for state-changing requests.
import type { paths } from './schema';
import type {
  EmailSendRequest,
  Flow,
  LoginRequest,
  Problem,
  Session,
  TotpSetup,
  VerifyRequest,
  WebAuthnCredential,
  WebAuthnLoginFinishRequest,
  WebAuthnOptions,
  WebAuthnRegisterFinishRequest,
} from './types';

/**
 * The paths the SPA calls: only those in the OpenAPI document, so a renamed
 * or removed endpoint fails the type check.
 */
type ApiPath = Extract<keyof paths, `/api/v1/${string}`>;

/**
 * ApiError is what every failed call throws: the server's problem details,
 * or a synthetic `network` problem when no answer came back at all.
 */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.code);
    this.name = 'ApiError';
  }
  get code(): string {
    return this.problem.code;
  }
}

/** The code used when the server could not be reached or answered nonsense. */
export const networkCode = 'network';

/** localProblem builds a problem the SPA found itself, before asking the server. */
export function localProblem(code: string): Problem {
  return { type: 'about:blank', title: code, status: 0, code };
}

async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: ApiPath, body?: unknown): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json, application/problem+json' },
  };
  if (method !== 'GET') {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body ?? {});
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(localProblem(networkCode));
  }
  if (res.status === 204) return undefined as T;
  const payload: unknown = await res.json().catch(() => undefined);
  if (res.ok && payload !== undefined) return payload as T;
  throw new ApiError(asProblem(res.status, payload));
}

// A proxy or a crashed server may answer with HTML; turn anything that is not
// problem details into one, keyed by status so the user still gets a message.
function asProblem(status: number, payload: unknown): Problem {
  if (payload && typeof payload === 'object' && typeof (payload as Problem).code === 'string') {
    return payload as Problem;
  }
  const code = status === 503 || status === 502 || status === 504 ? 'busy' : status >= 500 ? 'internal' : networkCode;
  return { type: 'about:blank', title: String(status), status, code };
}

export const api = {
  login: (req: LoginRequest) => call<Flow>('POST', '/api/v1/login', req),
  flow: () => call<Flow>('GET', '/api/v1/login/flow'),
  totpSetup: () => call<TotpSetup>('POST', '/api/v1/login/totp/setup'),
  totpActivate: (code: string) => call<Flow>('POST', '/api/v1/login/totp/activate', { code }),
  sendEmail: (req: EmailSendRequest) => call<Flow>('POST', '/api/v1/login/email/send', req),
  verify: (req: VerifyRequest) => call<Flow>('POST', '/api/v1/login/verify', req),
  webauthnLoginBegin: () => call<WebAuthnOptions>('POST', '/api/v1/login/webauthn/begin'),
  webauthnLoginFinish: (req: WebAuthnLoginFinishRequest) => call<Flow>('POST', '/api/v1/login/webauthn/finish', req),
  webauthnRegisterBegin: () => call<WebAuthnOptions>('POST', '/api/v1/webauthn/register/begin'),
  webauthnRegisterFinish: (req: WebAuthnRegisterFinishRequest) =>
    call<WebAuthnCredential>('POST', '/api/v1/webauthn/register/finish', req),
  webauthnRegisterDecline: () => call<void>('POST', '/api/v1/webauthn/register/decline'),
  forgetBrowser: () => call<void>('DELETE', '/api/v1/trusted-browser'),
  logout: () => call<void>('POST', '/api/v1/logout'),
  session: () => call<Session>('GET', '/api/v1/session'),
};
