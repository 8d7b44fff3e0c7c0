package auth

import "time"

// State is where a login flow stands. The client renders whatever state the server
// answers with; it never decides the next step itself.
type State string

// Flow states. Authenticated is only ever answered, never stored: the flow row is
// consumed in the transaction that creates the session.
const (
	MFASetupRequired State = "mfa_setup_required"
	MFARequired      State = "mfa_required"
	Authenticated    State = "authenticated"
)

// Method is a second factor a flow may offer.
type Method string

// Second-factor methods.
const (
	MethodTOTP Method = "totp"
)

// Step is an action a client takes on a flow.
type Step string

// Flow steps.
const (
	StepSetupTOTP    Step = "setup_totp"
	StepActivateTOTP Step = "activate_totp"
	StepVerifyTOTP   Step = "verify_totp"
)

// moves is the whole state machine: from each state, the steps allowed and the
// state each leads to.
var moves = map[State]map[Step]State{
	MFASetupRequired: {StepSetupTOTP: MFASetupRequired, StepActivateTOTP: Authenticated},
	MFARequired:      {StepVerifyTOTP: Authenticated},
}

// stepMethod names the method a step needs the flow to offer, where it needs one.
var stepMethod = map[Step]Method{
	StepVerifyTOTP: MethodTOTP,
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
	ClientIP    string
	CreatedAt   time.Time
	ExpiresAt   time.Time
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
}

func (s *Service) view(f *Flow) *FlowView {
	return &FlowView{
		State: f.State, ExpiresAt: f.ExpiresAt, Methods: f.Methods,
		AttemptsLeft: max(s.cfg.MaxCodeAttempts-f.FailedCodes, 0),
	}
}
