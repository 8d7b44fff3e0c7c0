package auth

import (
	"time"

	"github.com/kanmon/kanmon/wasm/codefmt"
)

// State is where a login flow stands. The client renders whatever state the server
// answers with; it never decides the next step itself.
type State string

// Flow states. Authenticated is only ever answered, never stored: the flow row is
// consumed in the transaction that creates the session.
const (
	MFASetupRequired State = "mfa_setup_required"
	MFARequired      State = "mfa_required"
	EmailSent        State = "email_sent"
	Authenticated    State = "authenticated"
)

// Method is a second factor a flow may offer.
type Method string

// Second-factor methods.
const (
	MethodTOTP     Method = "totp"
	MethodEmail    Method = "email"
	MethodWebAuthn Method = "webauthn"
)

// Step is an action a client takes on a flow.
type Step string

// Flow steps.
const (
	StepSetupTOTP      Step = "setup_totp"
	StepActivateTOTP   Step = "activate_totp"
	StepVerifyTOTP     Step = "verify_totp"
	StepSendEmail      Step = "send_email"
	StepVerifyEmail    Step = "verify_email"
	StepBeginWebAuthn  Step = "begin_webauthn"
	StepFinishWebAuthn Step = "finish_webauthn"
)

// moves is the whole state machine: from each state, the steps allowed and the
// state each leads to.
var moves = map[State]map[Step]State{
	MFASetupRequired: {StepSetupTOTP: MFASetupRequired, StepActivateTOTP: Authenticated},
	MFARequired: {StepVerifyTOTP: Authenticated, StepSendEmail: EmailSent,
		StepBeginWebAuthn: MFARequired, StepFinishWebAuthn: Authenticated},
	// After an e-mail code was sent the user may still switch to the app.
	EmailSent: {StepVerifyEmail: Authenticated, StepSendEmail: EmailSent, StepVerifyTOTP: Authenticated},
}

// stepMethod names the method a step needs the flow to offer, where it needs one.
var stepMethod = map[Step]Method{
	StepVerifyTOTP:     MethodTOTP,
	StepSendEmail:      MethodEmail,
	StepVerifyEmail:    MethodEmail,
	StepBeginWebAuthn:  MethodWebAuthn,
	StepFinishWebAuthn: MethodWebAuthn,
}

// Flow is a login between a correct password and a completed second factor. It is
// stored in the database and named by the hash of an HttpOnly cookie token, so
// every later step names no user.
type Flow struct {
	ID          int64
	TokenHash   []byte
	UserID      int64
	Username    string // filled in by lookups
	Email       string // filled in by lookups
	State       State
	Methods     []Method // second factors offered, in the order shown
	FailedCodes int
	PendingTOTP []byte // sealed secret shown during enrolment
	// The e-mail code sent last: its MAC (never the code), its end and when it
	// was sent (for the resend cooldown).
	EmailCodeMAC       []byte
	EmailCodeExpiresAt time.Time
	EmailSentAt        time.Time
	ClientIP           string
	// OfferWebAuthnSetup: the user asked to register a key and has none yet.
	OfferWebAuthnSetup bool
	// TOTPDevices are the user's authenticator apps, read with the flow.
	TOTPDevices []TOTPDevice
	// Failures are counted for the user and the asking client.
	Failures  FailureCounts
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Next checks that step is allowed in the flow's state at now and returns the
// state it leads to.
func (f *Flow) Next(step Step, now time.Time) (State, error) {
	if !now.Before(f.ExpiresAt) {
		return f.State, ErrFlowExpired
	}
	to, ok := moves[f.State][step]
	if !ok {
		return f.State, ErrStepNotAllowed
	}
	if m, needs := stepMethod[step]; needs && !f.offers(m) {
		return f.State, ErrStepNotAllowed
	}
	return to, nil
}

func (f *Flow) offers(m Method) bool {
	for _, o := range f.Methods {
		if o == m {
			return true
		}
	}
	return false
}

// FlowView is what a client is told about a flow.
type FlowView struct {
	State        State
	ExpiresAt    time.Time
	Methods      []Method
	AttemptsLeft int
	// EmailHint is the masked address codes go to, when e-mail is offered.
	EmailHint string
	// ResendAfter is when another e-mail code may be requested.
	ResendAfter time.Time
	// OfferWebAuthnSetup, once authenticated, invites the user to register a
	// security key or biometrics (they asked for it at an earlier login).
	OfferWebAuthnSetup bool
}

func (s *Service) view(f *Flow) *FlowView {
	v := &FlowView{
		State: f.State, ExpiresAt: f.ExpiresAt, Methods: f.Methods,
		AttemptsLeft: max(s.cfg.MaxCodeAttempts-f.FailedCodes, 0),
	}
	if f.offers(MethodEmail) {
		v.EmailHint = codefmt.MaskEmail(f.Email)
	}
	if !f.EmailSentAt.IsZero() {
		v.ResendAfter = f.EmailSentAt.Add(s.cfg.EmailResendAfter)
	}
	return v
}

// offeredMethods is the manual's choice (§1.2): the authenticator app, and
// either WebAuthn when the user has a key or else the e-mail code when they
// have an address. With OfferAllMethods every factor the user has is offered;
// factors switched off in this deployment never are.
func (s *Service) offeredMethods(u *LoginUser) []Method {
	var m []Method
	if u.TOTPDevices > 0 {
		m = append(m, MethodTOTP)
	}
	keys := u.WebAuthnCredentials > 0 && s.webauthn != nil
	if keys {
		m = append(m, MethodWebAuthn)
	}
	if s.cfg.EmailCodes && u.Email != "" && (!keys || s.cfg.OfferAllMethods) {
		m = append(m, MethodEmail)
	}
	return m
}
