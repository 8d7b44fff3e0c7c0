package store

import (
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/kanmon/kanmon/api/auth"
)

// Rows as stored. They stay apart from the domain's types so that a column can
// change without the domain noticing.

type userRow struct {
	bun.BaseModel `bun:"table:users,alias:u"`
	ID            int64 `bun:",pk,autoincrement"`
	Username      string
	Email         string
	PasswordHash  string
	Disabled      bool
	// WebAuthnSetupRequested is the user's opt-in to register a key.
	WebAuthnSetupRequested bool   `bun:"webauthn_setup_requested"`
	WebAuthnHandle         []byte `bun:"webauthn_handle"`
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

func (r *userRow) domain() auth.User {
	return auth.User{ID: r.ID, Username: r.Username, Email: r.Email, PasswordHash: r.PasswordHash,
		Disabled: r.Disabled, WebAuthnSetupRequested: r.WebAuthnSetupRequested, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

type totpDeviceRow struct {
	bun.BaseModel `bun:"table:totp_devices,alias:d"`
	ID            int64 `bun:",pk,autoincrement"`
	UserID        int64
	Name          string
	SecretSealed  []byte
	LastStep      int64
	CreatedAt     time.Time
}

type flowRow struct {
	bun.BaseModel      `bun:"table:login_flows,alias:f"`
	ID                 int64 `bun:",pk,autoincrement"`
	TokenHash          []byte
	UserID             int64
	State              string
	Methods            string // comma-separated, in the order offered
	FailedCodes        int
	PendingTOTP        []byte     `bun:"pending_totp"`
	EmailCodeMAC       []byte     `bun:"email_code_mac"`
	EmailCodeExpiresAt *time.Time `bun:"email_code_expires_at"`
	EmailSentAt        *time.Time `bun:"email_sent_at"`
	challengeColumns
	OfferWebAuthnSetup bool `bun:"offer_webauthn_setup,scanonly"`
	ClientIP           string
	CreatedAt          time.Time
	ExpiresAt          time.Time
	Username           string `bun:",scanonly"`
	Email              string `bun:",scanonly"`
}

func newFlowRow(f *auth.Flow) *flowRow {
	methods := make([]string, len(f.Methods))
	for i, m := range f.Methods {
		methods[i] = string(m)
	}
	return &flowRow{TokenHash: f.TokenHash, UserID: f.UserID, State: string(f.State), Methods: strings.Join(methods, ","),
		FailedCodes: f.FailedCodes, PendingTOTP: f.PendingTOTP, ClientIP: f.ClientIP, CreatedAt: f.CreatedAt, ExpiresAt: f.ExpiresAt}
}

func (r *flowRow) domain() *auth.Flow {
	f := &auth.Flow{ID: r.ID, TokenHash: r.TokenHash, UserID: r.UserID, Username: r.Username, Email: r.Email,
		State: auth.State(r.State), FailedCodes: r.FailedCodes, PendingTOTP: r.PendingTOTP, EmailCodeMAC: r.EmailCodeMAC,
		ClientIP: r.ClientIP, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, OfferWebAuthnSetup: r.OfferWebAuthnSetup}
	if r.EmailCodeExpiresAt != nil {
		f.EmailCodeExpiresAt = *r.EmailCodeExpiresAt
	}
	if r.EmailSentAt != nil {
		f.EmailSentAt = *r.EmailSentAt
	}
	if r.Methods != "" {
		for _, m := range strings.Split(r.Methods, ",") {
			f.Methods = append(f.Methods, auth.Method(m))
		}
	}
	return f
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions,alias:s"`
	ID            int64 `bun:",pk,autoincrement"`
	TokenHash     []byte
	UserID        int64
	Factors       string // comma-separated
	ClientIP      string
	UserAgent     string
	CreatedAt     time.Time
	LastSeenAt    time.Time
	ExpiresAt     time.Time
	challengeColumns
}

// challengeColumns hold a pending WebAuthn ceremony (see auth.Challenge) on a
// login flow or a session.
type challengeColumns struct {
	WebAuthnSession   *string    `bun:"webauthn_session"`
	WebAuthnExpiresAt *time.Time `bun:"webauthn_expires_at"`
}

type webauthnCredentialRow struct {
	bun.BaseModel  `bun:"table:webauthn_credentials,alias:w"`
	ID             int64 `bun:",pk,autoincrement"`
	UserID         int64
	CredentialID   []byte
	Name           string
	AAGUID         []byte `bun:"aaguid"`
	Transports     string // comma-separated
	SignCount      int64
	BackupEligible bool
	BackupState    bool
	Record         string // go-webauthn's credential record, JSON
	CreatedAt      time.Time
	LastUsedAt     *time.Time
}

func (r *webauthnCredentialRow) domain() auth.WebAuthnCredential {
	c := auth.WebAuthnCredential{ID: r.ID, UserID: r.UserID, CredentialID: r.CredentialID, Name: r.Name, AAGUID: r.AAGUID,
		SignCount: uint32(r.SignCount), BackupEligible: r.BackupEligible, BackupState: r.BackupState,
		Record: []byte(r.Record), CreatedAt: r.CreatedAt}
	if r.Transports != "" {
		c.Transports = strings.Split(r.Transports, ",")
	}
	if r.LastUsedAt != nil {
		c.LastUsedAt = *r.LastUsedAt
	}
	return c
}

type failureRow struct {
	bun.BaseModel `bun:"table:auth_failures"`
	ID            int64 `bun:",pk,autoincrement"`
	Key           string
	At            time.Time
}

type auditRow struct {
	bun.BaseModel `bun:"table:audit_events"`
	ID            int64 `bun:",pk,autoincrement"`
	At            time.Time
	Type          string
	UserID        *int64
	Username      string
	ClientIP      string
	Detail        string
}

type trustedBrowserRow struct {
	bun.BaseModel `bun:"table:trusted_browsers,alias:tb"`
	ID            int64 `bun:",pk,autoincrement"`
	TokenHash     []byte
	UserID        int64
	UserAgent     string
	CreatedAt     time.Time
	LastUsedAt    *time.Time
	ExpiresAt     time.Time
}
