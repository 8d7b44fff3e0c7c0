// Package auth is Kanmon's domain: passwords, login flows, TOTP, sessions, rate
// limits and the audit trail. It knows nothing of HTTP or SQL: the api package
// drives it and the store package keeps its state, so it is tested alone.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"golang.org/x/text/unicode/norm"

	"github.com/kanmon/kanmon/wasm/codefmt"
)

// Config holds the policy knobs of the login.
type Config struct {
	// Issuer names the system in authenticator apps (横浜市電子請求システム).
	Issuer string
	// FlowTTL is how long a login may take from password to second factor.
	FlowTTL time.Duration
	// MaxCodeAttempts wrong codes end a flow.
	MaxCodeAttempts int
	// UserFailureLimit failures for one user within FailureWindow lock that
	// user's logins until the oldest of them leaves the window.
	UserFailureLimit int
	// ClientFailureLimit is the same for one client address.
	ClientFailureLimit int
	FailureWindow      time.Duration
	// SessionIdle ends a session without activity; SessionLifetime ends any.
	SessionIdle     time.Duration
	SessionLifetime time.Duration
	// EmailCodeTTL is how long an e-mailed code is valid; EmailResendAfter
	// the wait before another may be sent; EmailHourlyCap the most codes a
	// user can be sent in an hour.
	EmailCodeTTL     time.Duration
	EmailResendAfter time.Duration
	EmailHourlyCap   int
	// TrustFor is how long a browser may skip the second factor.
	TrustFor time.Duration
	// OfferAllMethods widens the manual's method choice to every factor the
	// user has.
	OfferAllMethods bool
	// EmailCodes offers e-mailed codes at all (off when no mail can be sent).
	EmailCodes bool
}

// DefaultConfig is the policy of the manual and of OWASP's guidance.
func DefaultConfig() Config {
	return Config{
		Issuer:          "Kanmon",
		FlowTTL:         10 * time.Minute,
		MaxCodeAttempts: 5, UserFailureLimit: 10, ClientFailureLimit: 50,
		FailureWindow: 15 * time.Minute,
		SessionIdle:   30 * time.Minute, SessionLifetime: 12 * time.Hour,
		EmailCodeTTL: 10 * time.Minute, EmailResendAfter: time.Minute, EmailHourlyCap: 10,
		TrustFor: 8 * time.Hour, EmailCodes: true,
	}
}

// sessionTouchEvery bounds writes on the hot session check: "last seen" is
// refreshed at most this often.
const sessionTouchEvery = time.Minute

// maxPasswordBytes bounds the input to argon2id; longer is a mistake or an attack.
const maxPasswordBytes = 1024

// Service runs logins. It is safe for concurrent use.
type Service struct {
	store    Store
	hasher   *Hasher
	sealer   *Sealer
	cfg      Config
	now      func() time.Time
	mailWake func()
	// webauthn is nil until EnableWebAuthn.
	webauthn     *webauthn.WebAuthn
	challengeTTL time.Duration
}

// New returns a Service. now is time.Now in production and a test clock in tests.
func New(store Store, hasher *Hasher, sealer *Sealer, cfg Config, now func() time.Time) *Service {
	return &Service{store: store, hasher: hasher, sealer: sealer, cfg: cfg, now: now, mailWake: func() {}}
}

// OnMail sets what to call after a mail was committed to the outbox (the mail
// worker's Wake), so codes go out at once rather than at the next poll.
func (s *Service) OnMail(wake func()) { s.mailWake = wake }

// Now is the service's clock: the time its deadlines are counted in.
func (s *Service) Now() time.Time { return s.now() }

// Client is who is asking: used for rate limits and the audit log.
type Client struct {
	IP        string
	UserAgent string
}

// LoginResult is the outcome of a login step.
type LoginResult struct {
	Flow *FlowView
	// FlowToken is set when a new flow began; the caller sets it as a cookie.
	FlowToken string
	// Session is set when the login completed; the caller sets its cookie and
	// clears the flow cookie.
	Session *IssuedToken
	// Trust is set when the browser is now trusted; the caller sets its cookie.
	Trust *IssuedToken
}

// IssuedToken is a token just created for a cookie: it exists only here and in the
// user's browser.
type IssuedToken struct {
	Token     string
	ExpiresAt time.Time
}

// VerifyOptions are the two check boxes of the code screen (§1.2 ⑤).
type VerifyOptions struct {
	// TrustBrowser skips the second factor on this browser for Config.TrustFor.
	TrustBrowser bool
	// SetupWebAuthn asks to register a security key or biometrics next time.
	SetupWebAuthn bool
}

// FoldUsername is the form user names are compared in: NFKC (so full-width
// letters typed with a Japanese IME match), trimmed, lower case.
func FoldUsername(name string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(name)))
}

// Login checks a user name and password and begins a login flow. Unknown and
// disabled users get the same answer, after the same work, as a wrong password.
// trustToken is the browser's trusted-browser cookie, if any: when it is valid
// for this user the login completes without a second factor.
func (s *Service) Login(ctx context.Context, username, password, trustToken string, c Client) (*LoginResult, error) {
	name := FoldUsername(username)
	if name == "" || password == "" || len(name) > maxUsernameBytes || len(password) > maxPasswordBytes {
		return nil, invalid("user name and password are required and must not be too long")
	}
	now := s.now()
	u, err := s.checkPassword(ctx, name, password, c, now)
	if err != nil {
		return nil, err
	}

	f := &Flow{
		UserID: u.ID, Username: u.Username, Email: u.Email, ClientIP: c.IP,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.FlowTTL),
		State: MFARequired, Methods: s.offeredMethods(u),
		OfferWebAuthnSetup: u.WebAuthnSetupRequested && u.WebAuthnCredentials == 0,
	}
	if u.TOTPDevices == 0 && u.WebAuthnCredentials == 0 {
		f.State, f.Methods = MFASetupRequired, nil
	} else if res, err := s.loginTrusted(ctx, f, trustToken, c, now); res != nil || err != nil {
		return res, err
	}
	token, tokenHash := NewToken()
	f.TokenHash = tokenHash
	if err := s.store.CreateFlow(ctx, f); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	return &LoginResult{Flow: s.view(f), FlowToken: token}, nil
}

// checkPassword checks name and password under the rate limits and returns the
// user. It holds a hashing slot from reading the failure counts to recording a
// failure, so concurrent guesses cannot all pass one stale count: per process, a
// burst overshoots a limit by at most the number of slots less one.
func (s *Service) checkPassword(ctx context.Context, name, password string, c Client, now time.Time) (*LoginUser, error) {
	release, err := s.hasher.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	defer release()
	u, err := s.store.LoginUser(ctx, name, clientKey(c.IP), now.Add(-s.cfg.FailureWindow))
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if err := s.checkLimits(ctx, name, c.IP, u.Failures, now); err != nil {
		return nil, err
	}
	ok, err := s.hasher.Compare(u.PasswordHash, password) // "" for unknown users: a dummy hash
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if !ok || u.ID == 0 || u.Disabled {
		return nil, s.fail(ctx, now, u.Failures, &Flow{UserID: u.ID, Username: name}, c, "password", 0, ErrBadCredentials)
	}
	return u, nil
}

// Flow returns the current state of the flow named by token, so a reloaded page
// resumes where it was.
func (s *Service) Flow(ctx context.Context, token string) (*FlowView, error) {
	f, err := s.flowFor(ctx, token, Client{}, s.now())
	if err != nil {
		return nil, err
	}
	return s.view(f), nil
}

// SetupTOTP returns the enrolment data of a flow that needs a first authenticator.
// The secret is made once per flow: a reload shows the QR code already scanned.
func (s *Service) SetupTOTP(ctx context.Context, token string) (*TOTPSetup, error) {
	f, err := s.flowAt(ctx, token, StepSetupTOTP, Client{}, s.now())
	if err != nil {
		return nil, err
	}
	sealed := f.PendingTOTP
	if sealed == nil {
		fresh := s.sealer.Seal(randomBytes(totpSecretSize), totpContext(f.UserID))
		if sealed, err = s.store.SetPendingTOTP(ctx, f.ID, fresh); err != nil {
			return nil, fmt.Errorf("totp setup: %w", err)
		}
	}
	secret, err := s.sealer.Open(sealed, totpContext(f.UserID))
	if err != nil {
		return nil, fmt.Errorf("totp setup: %w", err)
	}
	return totpSetup(s.cfg.Issuer, f.Username, secret)
}

// ActivateTOTP confirms the authenticator shown by SetupTOTP with a code from it
// and completes the login ("pair device and log in"). The enrolment code counts
// as used.
func (s *Service) ActivateTOTP(ctx context.Context, token, code string, c Client) (*LoginResult, error) {
	now := s.now()
	f, digits, err := s.codeStep(ctx, token, code, StepActivateTOTP, c, now)
	if err != nil {
		return nil, err
	}
	if f.PendingTOTP == nil {
		return nil, ErrStepNotAllowed
	}
	secret, err := s.sealer.Open(f.PendingTOTP, totpContext(f.UserID))
	if err != nil {
		return nil, fmt.Errorf("totp activate: %w", err)
	}
	step, err := MatchTOTP(secret, digits, -1, now)
	if err != nil {
		return nil, s.codeFailure(ctx, now, f, c, err)
	}
	dev := &TOTPDevice{UserID: f.UserID, Name: "Authenticator", SecretSealed: f.PendingTOTP, LastStep: step, CreatedAt: now}
	return s.complete(ctx, f, &Completion{Enrol: dev}, VerifyOptions{}, []string{"password", "totp"}, c, now,
		AuditEvent{At: now, Type: EventMFAEnrolled, UserID: f.UserID, Username: f.Username, ClientIP: c.IP, Detail: "totp"})
}

// VerifyTOTP completes a login with a code from one of the user's authenticators.
func (s *Service) VerifyTOTP(ctx context.Context, token, code string, opts VerifyOptions, c Client) (*LoginResult, error) {
	now := s.now()
	f, digits, err := s.codeStep(ctx, token, code, StepVerifyTOTP, c, now)
	if err != nil {
		return nil, err
	}
	matchErr := ErrCodeInvalid
	for _, d := range f.TOTPDevices {
		secret, err := s.sealer.Open(d.SecretSealed, totpContext(d.UserID))
		if err != nil {
			return nil, fmt.Errorf("totp verify: device %d: %w", d.ID, err)
		}
		step, err := MatchTOTP(secret, digits, d.LastStep, now)
		if err == nil {
			return s.complete(ctx, f, &Completion{TOTPUse: &TOTPUse{DeviceID: d.ID, Step: step}}, opts, []string{"password", "totp"}, c, now)
		}
		if errors.Is(err, ErrCodeReused) {
			matchErr = ErrCodeReused
		} else if !errors.Is(err, ErrCodeInvalid) {
			return nil, fmt.Errorf("totp verify: %w", err)
		}
	}
	return nil, s.codeFailure(ctx, now, f, c, matchErr)
}

// codeStep does what every code-checking step does first: load the flow, check the
// step is allowed, normalise the typed code and check the rate limits.
func (s *Service) codeStep(ctx context.Context, token, code string, step Step, c Client, now time.Time) (*Flow, string, error) {
	digits, err := codefmt.Digits(code, totpDigits) // a typing mistake costs no attempt
	if err != nil {
		return nil, "", invalid("the code must be " + strconv.Itoa(totpDigits) + " digits")
	}
	f, err := s.authStep(ctx, token, step, c, now)
	if err != nil {
		return nil, "", err
	}
	return f, digits, nil
}

// authStep loads the flow for a step that proves a factor, checks the step is
// allowed and that neither the user nor the client address is locked out, and
// claims one of the flow's attempts before anything is compared: of a burst of
// codes sent at once, only as many are checked as the flow has attempts left.
// The claim is not given back on success, since success consumes the flow.
func (s *Service) authStep(ctx context.Context, token string, step Step, c Client, now time.Time) (*Flow, error) {
	f, err := s.flowAt(ctx, token, step, c, now)
	if err != nil {
		return nil, err
	}
	if err := s.checkLimits(ctx, FoldUsername(f.Username), c.IP, f.Failures, now); err != nil {
		return nil, err
	}
	if f.FailedCodes, err = s.store.ClaimAttempt(ctx, f.ID, s.cfg.MaxCodeAttempts); err != nil {
		return nil, err
	}
	return f, nil
}

// complete turns a flow into a session in one transaction with the rest of c
// and what opts ask for.
func (s *Service) complete(ctx context.Context, f *Flow, c *Completion, opts VerifyOptions, factors []string, cl Client, now time.Time, extra ...AuditEvent) (*LoginResult, error) {
	res := &LoginResult{Flow: &FlowView{State: Authenticated, OfferWebAuthnSetup: f.OfferWebAuthnSetup && s.webauthn != nil}}
	if opts.TrustBrowser {
		token, hash := NewToken()
		c.Trust = &TrustedBrowser{TokenHash: hash, UserID: f.UserID, UserAgent: cl.UserAgent, CreatedAt: now, ExpiresAt: now.Add(s.cfg.TrustFor)}
		res.Trust = &IssuedToken{Token: token, ExpiresAt: c.Trust.ExpiresAt}
		extra = append(extra, AuditEvent{At: now, Type: EventBrowserTrusted, UserID: f.UserID, Username: f.Username, ClientIP: cl.IP,
			Detail: "until " + c.Trust.ExpiresAt.Format(time.RFC3339)})
	}
	c.RequestWebAuthnSetup = opts.SetupWebAuthn
	token, hash := NewToken()
	c.FlowID, c.FlowState = f.ID, f.State
	c.Session = &Session{
		TokenHash: hash, UserID: f.UserID, Factors: factors, ClientIP: cl.IP, UserAgent: cl.UserAgent,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionLifetime),
	}
	c.Audit = append([]AuditEvent{s.passwordAccepted(f, now)}, extra...)
	c.Audit = append(c.Audit, AuditEvent{At: now, Type: EventLoginSucceeded, UserID: f.UserID, Username: f.Username,
		ClientIP: cl.IP, Detail: strings.Join(factors, "+")})
	if err := s.store.CompleteLogin(ctx, c); err != nil {
		var de *Error
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, fmt.Errorf("complete login: %w", err)
	}
	res.Session = &IssuedToken{Token: token, ExpiresAt: c.Session.ExpiresAt}
	return res, nil
}

// flowAt loads the live flow named by token, with the failures counted for c,
// and checks that step is allowed in it now.
func (s *Service) flowAt(ctx context.Context, token string, step Step, c Client, now time.Time) (*Flow, error) {
	f, err := s.flowFor(ctx, token, c, now)
	if err != nil {
		return nil, err
	}
	if _, err := f.Next(step, now); err != nil {
		return nil, err
	}
	return f, nil
}

// flowFor loads the live flow named by token, with the failures counted for c.
func (s *Service) flowFor(ctx context.Context, token string, c Client, now time.Time) (*Flow, error) {
	if token == "" {
		return nil, ErrFlowNotFound
	}
	f, err := s.store.FlowByToken(ctx, HashToken(token), clientKey(c.IP), now.Add(-s.cfg.FailureWindow))
	if err != nil {
		return nil, err
	}
	if !now.Before(f.ExpiresAt) {
		return nil, ErrFlowExpired
	}
	return f, nil
}

// passwordAccepted is the audit event of a flow's password step. The flow row
// itself is the record while the flow lives; the event is written with the
// flow's end (success or exhaustion), dated when the password was accepted, so
// the password step costs no statement of its own.
func (s *Service) passwordAccepted(f *Flow, now time.Time) AuditEvent {
	at, ip := f.CreatedAt, f.ClientIP
	if f.ID == 0 { // a trusted browser: no flow was stored
		at = now
	}
	return AuditEvent{At: at, Type: EventPasswordAccepted, UserID: f.UserID, Username: f.Username, ClientIP: ip}
}

func totpContext(userID int64) string { return "totp:" + strconv.FormatInt(userID, 10) }
