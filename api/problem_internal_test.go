package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/kanmon/kanmon/api/auth"
)

// TestStatusOf: every code the domain can return has its own status, and none
// of them is 500, which is kept for failures that are nobody's input.
func TestStatusOf(t *testing.T) {
	codes := []string{
		auth.CodeInvalidInput, auth.CodeBadCredentials, auth.CodeCodeInvalid, auth.CodeCodeReused,
		auth.CodeFlowNotFound, auth.CodeFlowExpired, auth.CodeFlowExhausted, auth.CodeStepNotAllowed,
		auth.CodeRateLimited, auth.CodeResendTooSoon, auth.CodeBusy, auth.CodeUnauthenticated,
		auth.CodeNotFound, auth.CodeConflict,
	}
	for _, code := range codes {
		if st := statusOf[code]; st < 400 || st == 500 {
			t.Errorf("code %s maps to status %d", code, st)
		}
	}
}

// TestHandleError: domain errors become their problem; anything else is a 500
// "internal" whose text is logged and never sent.
func TestHandleError(t *testing.T) {
	left := 3
	cases := []struct {
		name   string
		err    error
		status int
		code   string
		retry  string
	}{
		{"domain", fmt.Errorf("wrapped: %w", auth.ErrFlowExpired), 401, auth.CodeFlowExpired, ""},
		{"attempts", &auth.Error{Code: auth.CodeCodeInvalid, Message: "m", AttemptsLeft: &left}, 401, auth.CodeCodeInvalid, ""},
		{"retry rounded up", &auth.Error{Code: auth.CodeBusy, Message: "m", RetryAfter: 1500e6}, 503, auth.CodeBusy, "2"},
		{"router 404", echo.ErrNotFound, 404, auth.CodeNotFound, ""},
		{"router 405", echo.ErrMethodNotAllowed, 405, codeMethodNotAllowed, ""},
		{"internal", errors.New("pq: password authentication failed for user kanmon"), 500, codeInternal, ""},
		{"unknown code", &auth.Error{Code: "made_up", Message: "secret detail"}, 500, codeInternal, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			s := &Server{log: slog.New(slog.NewTextHandler(&log, nil))}
			e := echo.New()
			rec := httptest.NewRecorder()
			c := e.NewContext(httptest.NewRequest(http.MethodGet, "/api/v1/x", nil), rec)
			s.handleError(tc.err, c)
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if rec.Code != tc.status || p.Status != tc.status || p.Code != tc.code || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("got %d %+v (%s), want %d %s", rec.Code, p, rec.Header().Get("Content-Type"), tc.status, tc.code)
			}
			if got := rec.Header().Get("Retry-After"); got != tc.retry {
				t.Errorf("Retry-After %q, want %q", got, tc.retry)
			}
			if tc.code == codeInternal {
				if strings.Contains(rec.Body.String(), "password") || strings.Contains(rec.Body.String(), "secret") {
					t.Errorf("internal error text reached the client: %s", rec.Body)
				}
				if !strings.Contains(log.String(), "request failed") {
					t.Errorf("internal failure not logged")
				}
			} else if log.Len() != 0 {
				t.Errorf("a client's mistake was logged: %s", log.String())
			}
		})
	}
}
