package auth

import (
	"errors"
	"time"
)

// Error codes are the stable, machine-readable reasons a request failed. The HTTP
// layer maps each to a status; the SPA maps each to a sentence. Renaming one is an
// API change.
const (
	CodeInvalidInput    = "invalid_input"
	CodeBadCredentials  = "bad_credentials"
	CodeCodeInvalid     = "code_invalid"
	CodeCodeReused      = "code_reused"
	CodeCodeExpired     = "code_expired"
	CodeFlowNotFound    = "flow_not_found"
	CodeFlowExpired     = "flow_expired"
	CodeFlowExhausted   = "flow_exhausted"
	CodeStepNotAllowed  = "step_not_allowed"
	CodeRateLimited     = "rate_limited"
	CodeResendTooSoon   = "resend_too_soon"
	CodeBusy            = "busy"
	CodeUnauthenticated = "unauthenticated"
	CodeNotFound        = "not_found"
	CodeConflict        = "conflict"
	CodeWebAuthnFailed  = "webauthn_failed"
	CodeChallengeGone   = "challenge_expired"
	CodeLastFactor      = "last_factor"
)

// Error is a failure the caller may see: a stable code, a short English message for
// logs and API clients, and optional hints. Anything that is not an *Error is an
// internal failure whose text must never reach a user.
type Error struct {
	Code    string
	Message string
	// RetryAfter, when set, tells the client how long to wait (rate limits, busy).
	RetryAfter time.Duration
	// AttemptsLeft, when set, counts the wrong codes a flow still tolerates.
	AttemptsLeft *int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is matches errors by code, so errors.Is(err, ErrRateLimited) holds for a rate
// limit error carrying its own RetryAfter.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// Sentinel errors; compare with errors.Is.
var (
	ErrInvalidInput     = &Error{Code: CodeInvalidInput, Message: "the request is not valid"}
	ErrBadCredentials   = &Error{Code: CodeBadCredentials, Message: "user name or password is wrong"}
	ErrCodeInvalid      = &Error{Code: CodeCodeInvalid, Message: "the code is wrong or has expired"}
	ErrCodeReused       = &Error{Code: CodeCodeReused, Message: "the code was already used; wait for the next one"}
	ErrCodeExpired      = &Error{Code: CodeCodeExpired, Message: "the code has expired; send a new one"}
	ErrFlowNotFound     = &Error{Code: CodeFlowNotFound, Message: "no login in progress"}
	ErrFlowExpired      = &Error{Code: CodeFlowExpired, Message: "the login has expired; start again"}
	ErrFlowExhausted    = &Error{Code: CodeFlowExhausted, Message: "too many wrong codes; start again"}
	ErrStepNotAllowed   = &Error{Code: CodeStepNotAllowed, Message: "this step is not allowed now"}
	ErrRateLimited      = &Error{Code: CodeRateLimited, Message: "too many attempts; try again later"}
	ErrResendTooSoon    = &Error{Code: CodeResendTooSoon, Message: "a code was sent a moment ago"}
	ErrBusy             = &Error{Code: CodeBusy, Message: "the server is busy; try again shortly"}
	ErrUnauthenticated  = &Error{Code: CodeUnauthenticated, Message: "not logged in"}
	ErrNotFound         = &Error{Code: CodeNotFound, Message: "not found"}
	ErrConflict         = &Error{Code: CodeConflict, Message: "already exists"}
	ErrWebAuthnFailed   = &Error{Code: CodeWebAuthnFailed, Message: "the security key's answer was not accepted"}
	ErrChallengeExpired = &Error{Code: CodeChallengeGone, Message: "the security key prompt has expired; try again"}
	ErrLastFactor       = &Error{Code: CodeLastFactor, Message: "this is your last second factor; add another before removing it"}
)

// invalid returns an invalid-input error with a specific message.
func invalid(msg string) error {
	return &Error{Code: CodeInvalidInput, Message: msg}
}

// retryAfter returns a copy of a sentinel error that tells the client when to retry.
func retryAfter(base *Error, d time.Duration) error {
	e := *base
	e.RetryAfter = d
	return &e
}

// wrongCode returns ErrCodeInvalid with the number of attempts the flow has left.
func wrongCode(left int) error {
	e := *ErrCodeInvalid
	e.AttemptsLeft = &left
	return &e
}
