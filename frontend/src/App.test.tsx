import { render } from 'preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';

// The WASM helper is the browser tests' business; here the code helpers use
// their TypeScript fallback.
vi.mock('./wasm', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./wasm')>()),
  loadWasm: () => new Promise(() => {}),
}));

type Answer = { status: number; body?: unknown };

// A fetch stub keyed by "METHOD /path"; anything unlisted is a 401 problem.
function stubApi(answers: Record<string, Answer>) {
  const calls: string[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const key = `${init.method ?? 'GET'} ${url}`;
    calls.push(key);
    const a = answers[key] ?? { status: 401, body: { type: 'about:blank', title: '', status: 401, code: 'flow_not_found' } };
    return new Response(a.body === undefined ? null : JSON.stringify(a.body), {
      status: a.status,
      headers: { 'Content-Type': a.status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  });
  return calls;
}

async function waitFor(check: () => boolean, what: string) {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}: ${document.body.textContent}`);
}

const text = () => document.body.textContent ?? '';
const flow = (f: object) => ({ status: 200, body: { expires_at: '2030-01-01T00:00:00Z', attempts_left: 5, methods: [], ...f } });

describe('App routes the server state to a screen', () => {
  let root: HTMLElement;
  beforeEach(() => {
    localStorage.setItem('kanmon.lang', 'ja');
    root = document.createElement('div');
    document.body.append(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
    vi.unstubAllGlobals();
  });

  it('shows the login form when there is neither session nor flow', async () => {
    stubApi({});
    render(<App />, root);
    await waitFor(() => !!root.querySelector('#username'), 'login form');
    expect(root.querySelector('h1')?.textContent).toBe('ログイン');
  });

  it('shows the signed-in page for a session', async () => {
    stubApi({
      'GET /api/v1/session': {
        status: 200,
        body: {
          user: { id: 1, username: 'sato' },
          factors: ['password', 'totp'],
          authenticated_at: '2030-01-01T00:00:00Z',
          expires_at: '2030-01-01T08:00:00Z',
          idle_expires_at: '2030-01-01T00:30:00Z',
        },
      },
    });
    render(<App />, root);
    await waitFor(() => text().includes('ログインしました'), 'signed-in page');
    expect(text()).toContain('sato');
  });

  it('resumes a flow at the method choice when several methods are offered', async () => {
    stubApi({ 'GET /api/v1/login/flow': flow({ state: 'mfa_required', methods: ['totp', 'email'], email_hint: 'k***@x.jp' }) });
    render(<App />, root);
    await waitFor(() => text().includes('検証コードの取得方法'), 'choice');
    expect(root.querySelectorAll('input[type=radio]')).toHaveLength(2);
    expect(text()).toContain('k***@x.jp');
  });

  it('goes straight to the code when one method is offered', async () => {
    stubApi({ 'GET /api/v1/login/flow': flow({ state: 'mfa_required', methods: ['totp'] }) });
    render(<App />, root);
    await waitFor(() => !!root.querySelector('#verify-code'), 'code field');
  });

  it('shows where the login stands when the flow moved on in another tab', async () => {
    let state = 'mfa_setup_required';
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const key = `${init.method ?? 'GET'} ${url}`;
      calls.push(key);
      if (key === 'GET /api/v1/login/flow') return Response.json(flow({ state, methods: ['totp'] }).body);
      if (key === 'POST /api/v1/login/totp/setup') {
        state = 'mfa_required'; // the other tab paired the device meanwhile
        return Response.json({ type: 'about:blank', title: '', status: 409, code: 'step_not_allowed' }, { status: 409 });
      }
      return Response.json({ type: 'about:blank', title: '', status: 401, code: 'unauthenticated' }, { status: 401 });
    });
    render(<App />, root);
    await waitFor(() => !!root.querySelector('#verify-code'), 'the code screen of the moved-on flow');
    expect(calls.filter((c) => c === 'GET /api/v1/login/flow').length).toBe(2);
  });

  it('returns to the login form when the flow has expired', async () => {
    const calls = stubApi({
      'GET /api/v1/login/flow': flow({ state: 'mfa_setup_required' }),
      'POST /api/v1/login/totp/setup': { status: 401, body: { type: 'about:blank', title: '', status: 401, code: 'flow_expired' } },
    });
    render(<App />, root);
    await waitFor(() => text().includes('ログインの有効期限が切れました'), 'expiry message');
    expect(root.querySelector('[role=alert]')).not.toBeNull();
    expect(root.querySelector('#username')).not.toBeNull();
    expect(calls).toContain('POST /api/v1/login/totp/setup');
  });
});
