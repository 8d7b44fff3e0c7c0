package auth

import (
	"context"
	"time"

	"github.com/kanmon/kanmon/api/mail"
)

// User is a person who logs in: a business's account in the billing system.
type User struct {
	ID           int64
	Username     string
	Email        string // may be empty: then no e-mail codes
	PasswordHash string // argon2id PHC string
	Disabled     bool
	// WebAuthnSetupRequested records the user's wish (a check box at login)
	// to register a security key or biometrics at the next login.
	WebAuthnSetupRequested bool
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// LoginUser is a user as the password step needs them: with a summary of the
// second factors they have.
// An unknown user is a LoginUser with ID 0, so that the failures counted
// under their name still apply.
type LoginUser struct {
	User
	TOTPDevices         int // confirmed authenticator apps
	WebAuthnCredentials int // registered security keys and biometrics
	Failures            FailureCounts
}

// TOTPDevice is a confirmed authenticator app. Its secret is sealed with the key
// from the configuration and bound to the user.
type TOTPDevice struct {
	ID           int64
	UserID       int64
	Name         string
	SecretSealed []byte
	// LastStep is the RFC 6238 time step of the last code accepted from this
	// device; only later steps are accepted.
	LastStep  int64
	CreatedAt time.Time
}

// Session is a completed login, identified by the SHA-256 of its cookie token.
type Session struct {
	ID         int64
	TokenHash  []byte
	UserID     int64
	Username   string // filled in by lookups
	Email      string // filled in by lookups
	Factors    []string
	ClientIP   string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end, whatever the activity
}

// AuditEvent is one security-relevant fact, written in the same transaction as the
// change it records.
type AuditEvent struct {
	At       time.Time
	Type     string
	UserID   int64  // 0 when the user is unknown
	Username string // as typed, for failures of unknown users
	ClientIP string
	Detail   string
}

// Audit event types.
const (
	EventPasswordAccepted = "login.password_accepted"
	EventLoginSucceeded   = "login.succeeded"
	EventLoginFailed      = "login.failed"
	EventUserLocked       = "login.locked"
	EventMFAEnrolled      = "mfa.enrolled"
	EventLogout           = "logout"
	EventUserCreated      = "user.created"
	EventUserDisabled     = "user.disabled"
	EventUserEnabled      = "user.enabled"
	EventMFAReset         = "mfa.reset"
	EventEmailCodeSent    = "mfa.email_code_sent"
	EventBrowserTrusted   = "trusted_browser.added"
	EventBrowserUsed      = "trusted_browser.used"
	EventBrowserForgot    = "trusted_browser.removed"
	EventWebAuthnAdded    = "webauthn.added"
	EventWebAuthnRemoved  = "webauthn.removed"
)

// Completion is everything that happens when a login flow succeeds, applied by
// Store.CompleteLogin in one transaction: the TOTP step advanced with a
// compare-and-set (or a new device stored), the flow consumed, the session
// created and the event audited. If any part fails, nothing happened.
type Completion struct {
	// FlowID and FlowState name the flow consumed; FlowID 0 means a login that
	// needed no flow (a trusted browser).
	FlowID    int64
	FlowState State
	// TOTPUse, when set, advances that device's last step to Step only if it is
	// still below Step; otherwise CompleteLogin fails with ErrCodeReused.
	TOTPUse *TOTPUse
	// Enrol, when set, is a new device confirmed by this login.
	Enrol *TOTPDevice
	// Trust, when set, is a browser to trust from now on; TrustUsedID a
	// trusted browser this login relied on.
	Trust       *TrustedBrowser
	TrustUsedID int64
	// WebAuthnUse, when set, stores the new sign count of the key used, only
	// if it did not go back meanwhile; otherwise ErrWebAuthnFailed.
	WebAuthnUse *WebAuthnUse
	// RequestWebAuthnSetup records the user's opt-in to register a key.
	RequestWebAuthnSetup bool
	Session              *Session
	Audit                []AuditEvent
}

// TrustedBrowser is a browser allowed to skip the second factor of one user
// until ExpiresAt, named by the SHA-256 of its cookie token.
type TrustedBrowser struct {
	ID        int64
	TokenHash []byte
	UserID    int64
	UserAgent string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// EmailCodeIssue is a new e-mail code for a flow, applied by
// Store.IssueEmailCode in one transaction with its mail and audit event. It fails
// with ErrResendTooSoon when another code was sent after NotSentSince.
type EmailCodeIssue struct {
	FlowID       int64
	UserID       int64
	MAC          []byte
	ExpiresAt    time.Time
	SentAt       time.Time
	NotSentSince time.Time
	// FlowExpiresAt is the flow's new end, so it outlives the code.
	FlowExpiresAt time.Time
	Mail          mail.Message
	Audit         AuditEvent
}

// TOTPUse is a code accepted from a device at a time step.
type TOTPUse struct {
	DeviceID int64
	Step     int64
}

// Failure is a wrong password or code, recorded for rate limiting under each key
// (user and client address) and in the audit log. When EndFlowID is set, that
// flow used its last attempt and is deleted.
type Failure struct {
	At        time.Time
	Keys      []string
	EndFlowID int64
	Audit     []AuditEvent
}

// Store is what the auth service needs from storage. Each method is one
// transaction; "not found" is reported with the sentinel errors of this package.
type Store interface {
	// LoginUser returns the user with the folded name (ID 0 if there is none)
	// with the failures after since under the user's key and clientKey.
	LoginUser(ctx context.Context, username, clientKey string, since time.Time) (*LoginUser, error)
	// RecentFailures returns, per key, the times of the newest failures after
	// since, newest first, at most limit of them.
	RecentFailures(ctx context.Context, keys []string, since time.Time, limit int) (map[string][]time.Time, error)
	// RecordFailure stores f, whether or not its flow still exists.
	RecordFailure(ctx context.Context, f *Failure) error
	// ClaimAttempt counts one more attempt on the flow and returns its number,
	// or ErrFlowExhausted when the flow has had max attempts, or
	// ErrFlowNotFound when it is gone.
	ClaimAttempt(ctx context.Context, flowID int64, max int) (int, error)

	// CreateFlow stores a new login flow.
	CreateFlow(ctx context.Context, f *Flow) error
	// FlowByToken returns the flow whose token hashes to hash, with its user's
	// authenticators and the failures after since under the user's key and
	// clientKey, or ErrFlowNotFound.
	FlowByToken(ctx context.Context, hash []byte, clientKey string, since time.Time) (*Flow, error)
	// SetPendingTOTP stores a sealed enrolment secret on the flow unless one is
	// there already, and returns the one that is stored now.
	SetPendingTOTP(ctx context.Context, flowID int64, sealed []byte) ([]byte, error)
	// CompleteLogin applies c atomically; see Completion.
	CompleteLogin(ctx context.Context, c *Completion) error
	// IssueEmailCode applies i atomically; see EmailCodeIssue.
	IssueEmailCode(ctx context.Context, i *EmailCodeIssue) error
	// EmailCodesSince returns when the login-code mails queued for a user
	// since t were queued, oldest first.
	EmailCodesSince(ctx context.Context, userID int64, t time.Time) ([]time.Time, error)
	// TrustedBrowser returns the unexpired trusted browser of userID whose token
	// hashes to hash, or ErrNotFound: a browser trusted by one user never
	// helps another.
	TrustedBrowser(ctx context.Context, hash []byte, userID int64, now time.Time) (*TrustedBrowser, error)
	// ForgetBrowser removes the trusted browser whose token hashes to hash and
	// audits ev with its user; an unknown token is not an error.
	ForgetBrowser(ctx context.Context, hash []byte, ev AuditEvent) error

	// WebAuthnHandle returns the user's WebAuthn user handle, storing fresh
	// as the handle if the user has none yet.
	WebAuthnHandle(ctx context.Context, userID int64, fresh []byte) ([]byte, error)
	// WebAuthnCredentials lists a user's keys, oldest first.
	WebAuthnCredentials(ctx context.Context, userID int64) ([]WebAuthnCredential, error)
	// AddWebAuthnCredential stores a new key (ErrConflict if its credential id
	// is known), ends the user's pending setup request and audits ev.
	AddWebAuthnCredential(ctx context.Context, c *WebAuthnCredential, ev AuditEvent) error
	// RenameWebAuthnCredential renames key id of userID, or ErrNotFound.
	RenameWebAuthnCredential(ctx context.Context, userID, id int64, name string) error
	// DeleteWebAuthnCredential removes key id of userID (ErrNotFound) unless it
	// is the user's last second factor (ErrLastFactor), and audits ev.
	DeleteWebAuthnCredential(ctx context.Context, userID, id int64, ev AuditEvent) error
	// SetWebAuthnSetupRequested records or clears the user's opt-in.
	SetWebAuthnSetupRequested(ctx context.Context, userID int64, requested bool) error
	// SetChallenge keeps a pending ceremony on its owner, replacing any.
	SetChallenge(ctx context.Context, owner ChallengeOwner, id int64, c Challenge) error
	// TakeChallenge removes and returns the owner's pending ceremony, or
	// ErrChallengeExpired when there is none.
	TakeChallenge(ctx context.Context, owner ChallengeOwner, id int64) (*Challenge, error)

	// SessionByToken returns the session whose token hashes to hash with its
	// user's name and address, or ErrUnauthenticated; sessions of disabled
	// users are not returned.
	SessionByToken(ctx context.Context, hash []byte) (*Session, error)
	// TouchSession records activity on a session.
	TouchSession(ctx context.Context, id int64, at time.Time) error
	// DeleteSession ends the session whose token hashes to hash and audits ev
	// with the session's user; ending an unknown session is not an error.
	DeleteSession(ctx context.Context, hash []byte, ev AuditEvent) error

	// CreateUser stores u (setting its ID) or fails with ErrConflict.
	CreateUser(ctx context.Context, u *User, ev AuditEvent) error
	// UserByName returns the user with the folded name, or ErrNotFound.
	UserByName(ctx context.Context, username string) (*User, error)
	// Users lists users by name.
	Users(ctx context.Context) ([]User, error)
	// SetUserDisabled disables or enables a user; disabling ends their
	// sessions and forgets their trusted browsers.
	SetUserDisabled(ctx context.Context, id int64, disabled bool, ev AuditEvent) error
	// ResetMFA removes all of a user's second factors, trusted browsers and
	// sessions, so the next login starts with enrolment.
	ResetMFA(ctx context.Context, id int64, ev AuditEvent) error
}
