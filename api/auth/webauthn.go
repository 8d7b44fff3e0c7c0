package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// WebAuthnConfig names the relying party: the RP ID (the site's host name,
// "localhost" in dev), the name authenticators show, and the origins
// ceremonies may come from.
type WebAuthnConfig struct {
	RPID        string
	DisplayName string
	Origins     []string
	// ChallengeTTL bounds a ceremony from begin to finish, by Kanmon's clock.
	ChallengeTTL time.Duration
}

// WebAuthnCredential is a registered security key or platform authenticator
// (biometrics). Record is go-webauthn's full credential record as JSON; the
// other fields are kept as columns to list, name and audit credentials.
type WebAuthnCredential struct {
	ID             int64
	UserID         int64
	CredentialID   []byte
	Name           string
	AAGUID         []byte
	Transports     []string
	SignCount      uint32
	BackupEligible bool
	BackupState    bool
	Record         []byte
	CreatedAt      time.Time
	LastUsedAt     time.Time
}

// WebAuthnUse is a credential used at login: its new sign count and record.
type WebAuthnUse struct {
	ID        int64
	SignCount uint32
	Record    []byte
}

// Challenge is a pending WebAuthn ceremony: go-webauthn's session data as JSON,
// kept server-side and used at most once, until ExpiresAt.
type Challenge struct {
	Data      []byte
	ExpiresAt time.Time
}

// ChallengeOwner says what a challenge hangs on: a login flow (login with a
// key) or a session (registering a key).
type ChallengeOwner string

// Challenge owners.
const (
	ChallengeOfFlow    ChallengeOwner = "flow"
	ChallengeOfSession ChallengeOwner = "session"
)

const maxCredentialName = 64

// EnableWebAuthn turns on security keys and biometrics for this relying party.
func (s *Service) EnableWebAuthn(c WebAuthnConfig) error {
	if c.ChallengeTTL <= 0 {
		c.ChallengeTTL = 5 * time.Minute
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID: c.RPID, RPDisplayName: c.DisplayName, RPOrigins: c.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{ // the browser's prompt timeout; expiry is Kanmon's (ChallengeTTL)
			Login:        webauthn.TimeoutConfig{Timeout: c.ChallengeTTL, TimeoutUVD: c.ChallengeTTL},
			Registration: webauthn.TimeoutConfig{Timeout: c.ChallengeTTL, TimeoutUVD: c.ChallengeTTL},
		},
	})
	if err != nil {
		return fmt.Errorf("webauthn relying party: %w", err)
	}
	s.webauthn, s.challengeTTL = w, c.ChallengeTTL
	return nil
}

// waUser is a Kanmon user as go-webauthn sees them: a random handle (never the
// name, which authenticators may show or sync), a name and their credentials.
type waUser struct {
	handle []byte
	name   string
	creds  []webauthn.Credential
}

func (u *waUser) WebAuthnID() []byte                         { return u.handle }
func (u *waUser) WebAuthnName() string                       { return u.name }
func (u *waUser) WebAuthnDisplayName() string                { return u.name }
func (u *waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// loadWebAuthnUser returns the user's go-webauthn view, with their stored
// credentials; ids maps each credential id to its row.
func (s *Service) loadWebAuthnUser(ctx context.Context, userID int64, name string) (*waUser, map[string]int64, error) {
	if s.webauthn == nil {
		return nil, nil, ErrStepNotAllowed
	}
	handle, err := s.store.WebAuthnHandle(ctx, userID, randomBytes(32))
	if err != nil {
		return nil, nil, fmt.Errorf("webauthn handle: %w", err)
	}
	rows, err := s.store.WebAuthnCredentials(ctx, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("webauthn credentials: %w", err)
	}
	u := &waUser{handle: handle, name: name}
	ids := make(map[string]int64, len(rows))
	for _, r := range rows {
		var c webauthn.Credential
		if err := json.Unmarshal(r.Record, &c); err != nil {
			return nil, nil, fmt.Errorf("webauthn credential %d: %w", r.ID, err)
		}
		c.Authenticator.SignCount = r.SignCount // the column is the one kept current
		u.creds = append(u.creds, c)
		ids[string(c.ID)] = r.ID
	}
	return u, ids, nil
}

// BeginWebAuthnLogin starts a login with a registered key: the options for
// navigator.credentials.get, as JSON. The challenge is kept on the flow.
func (s *Service) BeginWebAuthnLogin(ctx context.Context, token string) ([]byte, error) {
	now := s.now()
	f, err := s.flowAt(ctx, token, StepBeginWebAuthn, Client{}, now)
	if err != nil {
		return nil, err
	}
	u, _, err := s.loadWebAuthnUser(ctx, f.UserID, f.Username)
	if err != nil {
		return nil, err
	}
	assertion, session, err := s.webauthn.BeginLogin(u)
	if err != nil {
		return nil, fmt.Errorf("webauthn begin login: %w", err)
	}
	return s.keepChallenge(ctx, ChallengeOfFlow, f.ID, session, assertion, now)
}

// FinishWebAuthnLogin completes a login with the authenticator's answer (the
// JSON of a PublicKeyCredential). The challenge is used up whatever the
// outcome, so an assertion cannot be replayed; a sign count that went back
// (a cloned authenticator) is refused and audited.
func (s *Service) FinishWebAuthnLogin(ctx context.Context, token string, response []byte, opts VerifyOptions, c Client) (*LoginResult, error) {
	now := s.now()
	f, err := s.authStep(ctx, token, StepFinishWebAuthn, c, now)
	if err != nil {
		return nil, err
	}
	session, err := s.takeChallenge(ctx, ChallengeOfFlow, f.ID, now)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, invalid("the authenticator's answer cannot be read")
	}
	u, ids, err := s.loadWebAuthnUser(ctx, f.UserID, f.Username)
	if err != nil {
		return nil, err
	}
	cred, err := s.webauthn.ValidateLogin(u, *session, parsed)
	if err != nil {
		return nil, s.fail(ctx, now, f.Failures, f, c, "webauthn: "+devInfo(err), f.FailedCodes, ErrWebAuthnFailed)
	}
	if cred.Authenticator.CloneWarning {
		return nil, s.fail(ctx, now, f.Failures, f, c, "webauthn: sign count went back (cloned authenticator?)", f.FailedCodes, ErrWebAuthnFailed)
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return nil, fmt.Errorf("webauthn record: %w", err)
	}
	use := &WebAuthnUse{ID: ids[string(cred.ID)], SignCount: cred.Authenticator.SignCount, Record: record}
	return s.complete(ctx, f, &Completion{WebAuthnUse: use}, opts, []string{"password", "webauthn"}, c, now)
}

// BeginWebAuthnRegistration starts registering a key for the user of the
// session: the options for navigator.credentials.create, as JSON, excluding
// the keys already registered.
func (s *Service) BeginWebAuthnRegistration(ctx context.Context, sessionToken string) ([]byte, error) {
	sess, err := s.Session(ctx, sessionToken)
	if err != nil {
		return nil, err
	}
	u, _, err := s.loadWebAuthnUser(ctx, sess.UserID, sess.Username)
	if err != nil {
		return nil, err
	}
	exclude := make([]protocol.CredentialDescriptor, len(u.creds))
	for i := range u.creds {
		exclude[i] = u.creds[i].Descriptor()
	}
	creation, session, err := s.webauthn.BeginRegistration(u, webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, fmt.Errorf("webauthn begin registration: %w", err)
	}
	return s.keepChallenge(ctx, ChallengeOfSession, sess.ID, session, creation, s.now())
}

// FinishWebAuthnRegistration stores the key the browser created, under name.
func (s *Service) FinishWebAuthnRegistration(ctx context.Context, sessionToken, name string, response []byte, c Client) (*WebAuthnCredential, error) {
	name, err := credentialName(name)
	if err != nil {
		return nil, err
	}
	sess, err := s.Session(ctx, sessionToken)
	if err != nil {
		return nil, err
	}
	now := s.now()
	session, err := s.takeChallenge(ctx, ChallengeOfSession, sess.ID, now)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, invalid("the authenticator's answer cannot be read")
	}
	u, _, err := s.loadWebAuthnUser(ctx, sess.UserID, sess.Username)
	if err != nil {
		return nil, err
	}
	cred, err := s.webauthn.CreateCredential(u, *session, parsed)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrWebAuthnFailed, devInfo(err)) // the detail is logged, not sent
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return nil, fmt.Errorf("webauthn record: %w", err)
	}
	wc := &WebAuthnCredential{
		UserID: sess.UserID, CredentialID: cred.ID, Name: name, AAGUID: cred.Authenticator.AAGUID,
		SignCount: cred.Authenticator.SignCount, BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState,
		Record: record, CreatedAt: now,
	}
	for _, t := range cred.Transport {
		wc.Transports = append(wc.Transports, string(t))
	}
	ev := AuditEvent{At: now, Type: EventWebAuthnAdded, UserID: sess.UserID, Username: sess.Username, ClientIP: c.IP, Detail: name}
	if err := s.store.AddWebAuthnCredential(ctx, wc, ev); err != nil {
		return nil, err
	}
	return wc, nil
}

// DeclineWebAuthnSetup records that the user skipped the offered registration,
// so it is not offered again until they ask for it.
func (s *Service) DeclineWebAuthnSetup(ctx context.Context, sessionToken string) error {
	sess, err := s.Session(ctx, sessionToken)
	if err != nil {
		return err
	}
	return s.store.SetWebAuthnSetupRequested(ctx, sess.UserID, false)
}

// WebAuthnCredentials lists the keys of the session's user.
func (s *Service) WebAuthnCredentials(ctx context.Context, sessionToken string) ([]WebAuthnCredential, error) {
	sess, err := s.Session(ctx, sessionToken)
	if err != nil {
		return nil, err
	}
	return s.store.WebAuthnCredentials(ctx, sess.UserID)
}

// RenameWebAuthnCredential renames one of the session user's keys.
func (s *Service) RenameWebAuthnCredential(ctx context.Context, sessionToken string, id int64, name string) error {
	name, err := credentialName(name)
	if err != nil {
		return err
	}
	sess, err := s.Session(ctx, sessionToken)
	if err != nil {
		return err
	}
	return s.store.RenameWebAuthnCredential(ctx, sess.UserID, id, name)
}

// DeleteWebAuthnCredential removes one of the session user's keys; removing
// the last second factor a user has is refused with ErrLastFactor.
func (s *Service) DeleteWebAuthnCredential(ctx context.Context, sessionToken string, id int64, c Client) error {
	sess, err := s.Session(ctx, sessionToken)
	if err != nil {
		return err
	}
	ev := AuditEvent{At: s.now(), Type: EventWebAuthnRemoved, UserID: sess.UserID, Username: sess.Username, ClientIP: c.IP}
	return s.store.DeleteWebAuthnCredential(ctx, sess.UserID, id, ev)
}

// keepChallenge stores a ceremony's session data on its owner and returns the
// options for the browser as JSON.
func (s *Service) keepChallenge(ctx context.Context, owner ChallengeOwner, id int64, session *webauthn.SessionData, options any, now time.Time) ([]byte, error) {
	data, err := json.Marshal(session)
	if err != nil {
		return nil, fmt.Errorf("webauthn session: %w", err)
	}
	if err := s.store.SetChallenge(ctx, owner, id, Challenge{Data: data, ExpiresAt: now.Add(s.challengeTTL)}); err != nil {
		return nil, fmt.Errorf("keep challenge: %w", err)
	}
	out, err := json.Marshal(options)
	if err != nil {
		return nil, fmt.Errorf("webauthn options: %w", err)
	}
	return out, nil
}

// takeChallenge removes and returns the owner's pending challenge: whatever
// happens next, it cannot be used again.
func (s *Service) takeChallenge(ctx context.Context, owner ChallengeOwner, id int64, now time.Time) (*webauthn.SessionData, error) {
	ch, err := s.store.TakeChallenge(ctx, owner, id)
	if err != nil {
		return nil, err
	}
	if !now.Before(ch.ExpiresAt) {
		return nil, ErrChallengeExpired
	}
	var session webauthn.SessionData
	if err := json.Unmarshal(ch.Data, &session); err != nil {
		return nil, fmt.Errorf("webauthn session: %w", err)
	}
	return &session, nil
}

func credentialName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Security key"
	}
	if utf8.RuneCountInString(name) > maxCredentialName || !utf8.ValidString(name) {
		return "", invalid(fmt.Sprintf("the name must be at most %d characters", maxCredentialName))
	}
	return name, nil
}

// devInfo is the detail go-webauthn gives for developers: for the audit log,
// never for the client.
func devInfo(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Details + " " + pe.DevInfo
	}
	return err.Error()
}
