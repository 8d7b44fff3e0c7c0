package auth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/authtest"
)

// tinyArgon2 keeps tests fast; TestHasherDefaults runs the real parameters once.
var tinyArgon2 = auth.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

func newHasher(t *testing.T, p auth.Argon2Params) *auth.Hasher {
	t.Helper()
	h, err := auth.NewHasher(p, 0, 0)
	if err != nil {
		t.Fatalf("NewHasher(%+v): %v", p, err)
	}
	return h
}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHasherRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, tinyArgon2)
	hash, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	m := phcPattern.FindStringSubmatch(hash)
	if m == nil {
		t.Fatalf("hash %q is not a PHC argon2id string", hash)
	}
	if got := m[1] + "," + m[2] + "," + m[3]; got != "64,1,1" {
		t.Errorf("parameters in hash = %s, want 64,1,1", got)
	}
	again, _ := h.Hash(ctx, "correct horse battery staple")
	if again == hash {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name, password string
		want           bool
	}{
		{"right", "correct horse battery staple", true},
		{"wrong", "correct horse battery stapler", false},
		{"case", "Correct horse battery staple", false},
		{"empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := h.Verify(ctx, hash, tc.password)
			if err != nil || ok != tc.want {
				t.Fatalf("Verify(%q) = %v, %v; want %v, nil", tc.password, ok, err, tc.want)
			}
		})
	}
}

// TestHasherOldParameters checks that a hash keeps verifying after the
// configured parameters change: they are read back from the PHC string.
func TestHasherOldParameters(t *testing.T) {
	ctx := context.Background()
	old := newHasher(t, tinyArgon2)
	hash, err := old.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	stronger := newHasher(t, auth.Argon2Params{MemoryKiB: 128, Iterations: 2, Parallelism: 2})
	if ok, err := stronger.Verify(ctx, hash, "correct horse battery staple"); err != nil || !ok {
		t.Fatalf("verify an m=64,t=1,p=1 hash with m=128,t=2,p=2 configured: %v, %v", ok, err)
	}
	newer, _ := stronger.Hash(ctx, "correct horse battery staple")
	if m := phcPattern.FindStringSubmatch(newer); m == nil || m[1] != "128" || m[2] != "2" || m[3] != "2" {
		t.Errorf("new hash %q does not carry the new parameters", newer)
	}
}

func TestHasherRejects(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, tinyArgon2)
	good, _ := h.Hash(ctx, "x")
	for name, encoded := range map[string]string{
		"bcrypt":       "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":      strings.Replace(good, "argon2id", "argon2i", 1),
		"version":      strings.Replace(good, "v=19", "v=16", 1),
		"zero memory":  strings.Replace(good, "m=64", "m=0", 1),
		"bad number":   strings.Replace(good, "t=1", "t=x", 1),
		"parallel 256": strings.Replace(good, "p=1", "p=256", 1),
		"no key":       good[:strings.LastIndex(good, "$")+1],
		"bad base64":   good[:strings.LastIndex(good, "$")+1] + "!!!!",
		"truncated":    "$argon2id$v=19",
	} {
		t.Run(name, func(t *testing.T) {
			if ok, err := h.Verify(ctx, encoded, "x"); err == nil || ok {
				t.Fatalf("Verify(%q) = %v, %v; want an error", encoded, ok, err)
			}
		})
	}
	for _, p := range []auth.Argon2Params{{MemoryKiB: 4, Iterations: 1, Parallelism: 1}, {MemoryKiB: 64, Iterations: 0, Parallelism: 1}, {MemoryKiB: 64, Iterations: 1}} {
		if _, err := auth.NewHasher(p, 1, 0); err == nil {
			t.Errorf("NewHasher(%+v) accepted parameters that are too small", p)
		}
	}
}

// TestHasherUnknownUser checks that an empty hash (unknown user) is never a match,
// whatever the password.
func TestHasherUnknownUser(t *testing.T) {
	h := newHasher(t, tinyArgon2)
	for _, pw := range []string{"", "x", "correct horse battery staple"} {
		if ok, err := h.Verify(context.Background(), "", pw); err != nil || ok {
			t.Errorf("Verify(\"\", %q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

// TestHasherDefaults runs the production parameters once.
func TestHasherDefaults(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, auth.DefaultArgon2)
	hash, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("default hash %q does not carry m=19456,t=2,p=1", hash)
	}
	if ok, err := h.Verify(ctx, hash, "correct horse battery staple"); err != nil || !ok {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
}

func TestSealer(t *testing.T) {
	s, err := auth.NewSealer(auth.RandomKey())
	if err != nil {
		t.Fatal(err)
	}
	other, _ := auth.NewSealer(auth.RandomKey())
	secret := []byte("twenty bytes secret!")
	sealed := s.Seal(secret, "totp:1")
	if strings.Contains(string(sealed), string(secret)) {
		t.Fatal("sealed value contains the plaintext")
	}
	if again := s.Seal(secret, "totp:1"); string(again) == string(sealed) {
		t.Error("two seals of one secret are equal: the nonce is not random")
	}
	got, err := s.Open(sealed, "totp:1")
	if err != nil || string(got) != string(secret) {
		t.Fatalf("Open = %q, %v; want %q", got, err, secret)
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name   string
		sealer *auth.Sealer
		sealed []byte
		ctx    string
	}{
		{"another user's context", s, sealed, "totp:2"},
		{"empty context", s, sealed, ""},
		{"another key", other, sealed, "totp:1"},
		{"tampered", s, tampered, "totp:1"},
		{"too short", s, sealed[:5], "totp:1"},
		{"nil", s, nil, "totp:1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if out, err := tc.sealer.Open(tc.sealed, tc.ctx); err == nil {
				t.Fatalf("Open opened to %q; want an error", out)
			}
		})
	}
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := auth.NewSealer(make([]byte, n)); err == nil {
			t.Errorf("NewSealer accepted a %d-byte key", n)
		}
	}
}

func TestTokens(t *testing.T) {
	a, ha := auth.NewToken()
	b, _ := auth.NewToken()
	if a == b {
		t.Fatal("two tokens are equal")
	}
	if raw, err := base64.RawURLEncoding.DecodeString(a); err != nil || len(raw) != 32 {
		t.Errorf("token %q is not 32 bytes of unpadded base64url", a)
	}
	if string(auth.HashToken(a)) != string(ha) || len(ha) != 32 {
		t.Errorf("HashToken does not give the hash NewToken returned")
	}
}

// hotp is RFC 4226's HOTP written out here, so MatchTOTP is checked against an
// implementation other than the library it uses.
func hotp(secret []byte, counter int64) string {
	mac := hmac.New(sha1.New, secret)
	_ = binary.Write(mac, binary.BigEndian, counter)
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

func codeAt(secret []byte, t time.Time) string { return hotp(secret, auth.TOTPStep(t)) }

// TestMatchTOTPVectors checks RFC 6238 Appendix B (SHA-1, last six digits).
func TestMatchTOTPVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for unix, code := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130"} {
		now := time.Unix(unix, 0)
		step, err := auth.MatchTOTP(secret, code, -1, now)
		if err != nil || step != unix/30 {
			t.Errorf("MatchTOTP(%s at %d) = %d, %v; want step %d", code, unix, step, err, unix/30)
		}
		if got := codeAt(secret, now); got != code {
			t.Errorf("test HOTP at %d = %s, want %s", unix, got, code)
		}
	}
}

func TestMatchTOTP(t *testing.T) {
	secret := []byte("kanmon test secret!!")
	t0 := authtest.T0.Add(10 * time.Second) // inside a step, not on its edge
	now := auth.TOTPStep(t0)
	tests := []struct {
		name, code string
		last       int64
		want       error
		wantStep   int64
	}{
		{"current step", codeAt(secret, t0), now - 5, nil, now},
		{"one step old", codeAt(secret, t0.Add(-30*time.Second)), now - 5, nil, now - 1},
		{"one step ahead", codeAt(secret, t0.Add(30*time.Second)), now - 5, nil, now + 1},
		{"two steps old", codeAt(secret, t0.Add(-time.Minute)), now - 5, auth.ErrCodeInvalid, 0},
		{"two steps ahead", codeAt(secret, t0.Add(time.Minute)), now - 5, auth.ErrCodeInvalid, 0},
		{"never stored a step", codeAt(secret, t0), -1, nil, now},
		{"replay of the current step", codeAt(secret, t0), now, auth.ErrCodeReused, 0},
		{"older step after a newer was used", codeAt(secret, t0.Add(-30*time.Second)), now, auth.ErrCodeReused, 0},
		{"next step after the current was used", codeAt(secret, t0.Add(30*time.Second)), now, nil, now + 1},
		{"another secret's code", codeAt([]byte("another secret 12345"), t0), now - 5, auth.ErrCodeInvalid, 0},
		{"too short", codeAt(secret, t0)[:5], -1, auth.ErrCodeInvalid, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "another secret's code" && tc.code == codeAt(secret, t0) {
				t.Skip("the two secrets happen to share this code")
			}
			step, err := auth.MatchTOTP(secret, tc.code, tc.last, t0)
			if !errors.Is(err, tc.want) {
				t.Fatalf("MatchTOTP(%s, last %d) error = %v, want %v", tc.code, tc.last-now, err, tc.want)
			}
			if err == nil && step != tc.wantStep {
				t.Fatalf("matched step %d, want %d", step, tc.wantStep)
			}
		})
	}
}

func TestFoldUsername(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sato-kensetsu", "sato-kensetsu"},
		{"Sato-Kensetsu", "sato-kensetsu"},
		{"ｓａｔｏ－ｋｅｎｓｅｔｓｕ", "sato-kensetsu"}, // typed with a Japanese IME in full-width mode
		{"ＳＡＴＯ１２３", "sato123"},
		{"  sato\t", "sato"},
		{"\u3000sato\u3000", "sato"}, // ideographic spaces
		{"ｋｅｉｒｉ＠ｓａｔｏ．ｅｘａｍｐｌｅ．ｊｐ", "keiri@sato.example.jp"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := auth.FoldUsername(tc.in); got != tc.want {
			t.Errorf("FoldUsername(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"keiri@Sato-Kensetsu.Example.JP", "keiri@sato-kensetsu.example.jp", true},
		{"  Keiri@example.jp ", "Keiri@example.jp", true}, // the local part keeps its case
		{"not an address", "", false},
		{"keiri@localhost", "", false},
		{"Keiri <keiri@example.jp>", "", false},
		{"a@b.jp, c@d.jp", "", false},
		{strings.Repeat("a", 250) + "@example.jp", "", false},
	}
	for _, tc := range tests {
		got, err := auth.NormalizeEmail(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if !tc.ok && !errors.Is(err, auth.ErrInvalidInput) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want invalid_input", tc.in, got, err)
		}
	}
}

func TestFlowNext(t *testing.T) {
	t0 := authtest.T0
	live := t0.Add(time.Minute)
	tests := []struct {
		name  string
		flow  auth.Flow
		step  auth.Step
		now   time.Time
		want  auth.State
		error error
	}{
		{"setup in setup", auth.Flow{State: auth.MFASetupRequired, ExpiresAt: live}, auth.StepSetupTOTP, t0, auth.MFASetupRequired, nil},
		{"activate in setup", auth.Flow{State: auth.MFASetupRequired, ExpiresAt: live}, auth.StepActivateTOTP, t0, auth.Authenticated, nil},
		{"verify in setup", auth.Flow{State: auth.MFASetupRequired, ExpiresAt: live}, auth.StepVerifyTOTP, t0, "", auth.ErrStepNotAllowed},
		{"verify offered", auth.Flow{State: auth.MFARequired, Methods: []auth.Method{auth.MethodTOTP}, ExpiresAt: live}, auth.StepVerifyTOTP, t0, auth.Authenticated, nil},
		{"verify not offered", auth.Flow{State: auth.MFARequired, ExpiresAt: live}, auth.StepVerifyTOTP, t0, "", auth.ErrStepNotAllowed},
		{"setup when enrolled", auth.Flow{State: auth.MFARequired, Methods: []auth.Method{auth.MethodTOTP}, ExpiresAt: live}, auth.StepSetupTOTP, t0, "", auth.ErrStepNotAllowed},
		{"expired on the dot", auth.Flow{State: auth.MFARequired, Methods: []auth.Method{auth.MethodTOTP}, ExpiresAt: live}, auth.StepVerifyTOTP, live, "", auth.ErrFlowExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.flow.Next(tc.step, tc.now)
			if !errors.Is(err, tc.error) {
				t.Fatalf("Next(%s) error = %v, want %v", tc.step, err, tc.error)
			}
			if err == nil && got != tc.want {
				t.Fatalf("Next(%s) = %s, want %s", tc.step, got, tc.want)
			}
		})
	}
}

// TestErrorIs checks that errors carrying hints still match their sentinel.
func TestErrorIs(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &auth.Error{Code: auth.CodeRateLimited, Message: "x", RetryAfter: time.Minute})
	if !errors.Is(err, auth.ErrRateLimited) {
		t.Error("a rate-limit error with RetryAfter does not match ErrRateLimited")
	}
	if errors.Is(err, auth.ErrBusy) {
		t.Error("a rate-limit error matches ErrBusy")
	}
}
