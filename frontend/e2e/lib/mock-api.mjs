// A scripted stand-in for the Kanmon API, routed inside the browser, so the
// screens can be checked in states that are slow to reach with the real
// server (e-mail codes, rate limits, a busy server). The real server is
// exercised by login.test.mjs.

// A 21×21 QR-sized placeholder image: the screens only need a PNG data URL.
const png =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABUAAAAVAQAAAACBbJg7AAAAFUlEQVR4nGOQKTzAAMOP+yzgmAJxAAIUHo4GTst4AAAAAElFTkSuQmCC';

const future = (s) => new Date(Date.now() + s * 1000).toISOString();

export const flows = {
  setup: () => ({ state: 'mfa_setup_required', expires_at: future(600), methods: [], attempts_left: 5 }),
  choose: () => ({
    state: 'mfa_required',
    expires_at: future(600),
    methods: ['totp', 'email'],
    email_hint: 't***@example.jp',
    attempts_left: 5,
  }),
  emailSent: () => ({
    ...flows.choose(),
    state: 'email_sent',
    resend_after: future(45),
  }),
  authenticated: () => ({ state: 'authenticated', expires_at: future(600), methods: [], attempts_left: 5 }),
};

export const session = () => ({
  user: { id: 'u1', username: 'taro', email: 'taro@example.jp' },
  factors: ['password', 'totp'],
  authenticated_at: new Date().toISOString(),
  expires_at: future(8 * 3600),
  idle_expires_at: future(1800),
});

export const totpSetup = {
  secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  otpauth_uri: 'otpauth://totp/Kanmon:taro?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Kanmon',
  qr_code: png,
  issuer: '横浜市電子請求システム',
  account: 'taro',
};

export const problem = (status, code, extra = {}) => ({
  status,
  body: { type: 'about:blank', title: code, status, code, ...extra },
});

/**
 * mockApi routes /api/v1/* to `handlers`, keyed "METHOD /path", each giving
 * {status, body} (or a function of the request's JSON body). It records the
 * requests so tests can check what the SPA sent.
 */
export async function mockApi(page, handlers) {
  const sent = [];
  await page.route('**/api/v1/**', async (route) => {
    const req = route.request();
    const path = new URL(req.url()).pathname.replace('/api/v1', '');
    const key = `${req.method()} ${path}`;
    const body = req.postData() ? JSON.parse(req.postData()) : undefined;
    sent.push({ key, body, headers: req.headers() });
    let h = handlers[key] ?? problem(401, key.startsWith('GET /session') ? 'unauthenticated' : 'flow_not_found');
    if (typeof h === 'function') h = h(body);
    await route.fulfill({
      status: h.status ?? 200,
      contentType: h.status >= 400 ? 'application/problem+json' : 'application/json',
      body: h.status === 204 ? '' : JSON.stringify(h.body),
    });
  });
  return sent;
}
