package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

const (
	maxUsernameBytes = 128
	minPasswordRunes = 10
)

// usernamePattern admits the IDs the billing system issues and e-mail-like names,
// and nothing that would make two names look alike (spaces, control characters).
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@+-]*$`)

// NewUser is what an operator or an integrator provides to create a user.
type NewUser struct {
	Username string
	Email    string
	Password string
}

// Actor names who made an administrative change, for the audit log.
type Actor struct {
	Name     string // "cli", an API key's name, …
	ClientIP string
}

// CreateUser validates and stores a new user with a hashed password.
func (s *Service) CreateUser(ctx context.Context, nu NewUser, a Actor) (*User, error) {
	name := FoldUsername(nu.Username)
	if len(name) > maxUsernameBytes || !usernamePattern.MatchString(name) {
		return nil, invalid("user name must be 1-128 characters: letters, digits and . _ @ + -")
	}
	email, err := NormalizeEmail(nu.Email)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(nu.Password) < minPasswordRunes || len(nu.Password) > maxPasswordBytes {
		return nil, invalid(fmt.Sprintf("password must be at least %d characters", minPasswordRunes))
	}
	hash, err := s.hasher.Hash(ctx, nu.Password)
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	now := s.now()
	u := &User{Username: name, Email: email, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	ev := AuditEvent{At: now, Type: EventUserCreated, Username: name, ClientIP: a.ClientIP, Detail: "by " + a.Name}
	if err := s.store.CreateUser(ctx, u, ev); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, &Error{Code: CodeConflict, Message: "a user named " + name + " already exists"}
		}
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// NormalizeEmail checks a bare e-mail address ("" is allowed: no address) and
// returns it with the domain in lower case.
func NormalizeEmail(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "", nil
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Address != addr || parsed.Name != "" || len(addr) > 254 {
		return "", invalid("e-mail address " + addr + " is not valid")
	}
	local, domain, _ := strings.Cut(addr, "@")
	if !strings.Contains(domain, ".") {
		return "", invalid("e-mail address " + addr + " has no domain")
	}
	return local + "@" + strings.ToLower(domain), nil
}

// User returns the user with name, or ErrNotFound.
func (s *Service) User(ctx context.Context, name string) (*User, error) {
	return s.store.UserByName(ctx, FoldUsername(name))
}

// Users lists all users by name.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	return s.store.Users(ctx)
}

// SetDisabled disables (ending their sessions) or enables the user with name.
func (s *Service) SetDisabled(ctx context.Context, name string, disabled bool, a Actor) error {
	u, err := s.User(ctx, name)
	if err != nil {
		return err
	}
	typ := EventUserEnabled
	if disabled {
		typ = EventUserDisabled
	}
	ev := AuditEvent{At: s.now(), Type: typ, UserID: u.ID, Username: u.Username, ClientIP: a.ClientIP, Detail: "by " + a.Name}
	return s.store.SetUserDisabled(ctx, u.ID, disabled, ev)
}

// ResetMFA removes every second factor and session of the user with name: their
// next login begins with enrolment (the help desk's answer to a lost phone).
func (s *Service) ResetMFA(ctx context.Context, name string, a Actor) error {
	u, err := s.User(ctx, name)
	if err != nil {
		return err
	}
	ev := AuditEvent{At: s.now(), Type: EventMFAReset, UserID: u.ID, Username: u.Username, ClientIP: a.ClientIP, Detail: "by " + a.Name}
	return s.store.ResetMFA(ctx, u.ID, ev)
}
