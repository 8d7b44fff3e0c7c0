package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. The defaults are OWASP's minimum
// recommendation (m=19 MiB, t=2, p=1).
type Argon2Params struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

// DefaultArgon2 is OWASP's recommended minimum for argon2id.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1}

const (
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Hasher hashes and verifies passwords with argon2id. At most Concurrency hashes run
// at once: each one takes MemoryKiB of memory, so an unbounded burst of logins would
// exhaust memory long before it exhausted the CPU. A caller that cannot get a slot
// within MaxWait gets ErrBusy.
type Hasher struct {
	params  Argon2Params
	slots   chan struct{}
	maxWait time.Duration
	// dummy is a hash of a random password with the current parameters, verified
	// for unknown users so they cost the same time as known ones.
	dummy string
}

// NewHasher returns a Hasher. concurrency ≤ 0 means one slot per CPU; maxWait ≤ 0
// means five seconds.
func NewHasher(p Argon2Params, concurrency int, maxWait time.Duration) (*Hasher, error) {
	if p.MemoryKiB < 8*uint32(p.Parallelism) || p.Iterations < 1 || p.Parallelism < 1 {
		return nil, fmt.Errorf("argon2id parameters m=%d t=%d p=%d are too small", p.MemoryKiB, p.Iterations, p.Parallelism)
	}
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	if maxWait <= 0 {
		maxWait = 5 * time.Second
	}
	h := &Hasher{params: p, slots: make(chan struct{}, concurrency), maxWait: maxWait}
	h.dummy = h.encode(randomBytes(argonSaltLen), randomBytes(argonKeyLen))
	return h, nil
}

// Hash returns the PHC string of password: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := randomBytes(argonSaltLen)
	key := argon2.IDKey([]byte(password), salt, h.params.Iterations, h.params.MemoryKiB, h.params.Parallelism, argonKeyLen)
	return h.encode(salt, key), nil
}

// Verify reports whether password matches the PHC string encoded, in a hashing
// slot of its own. An empty encoded (unknown user) is checked against a dummy
// hash so that it costs the same.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	release, err := h.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return h.Compare(encoded, password)
}

// Acquire waits for a hashing slot and returns its release. A caller holding a
// slot may Compare; the login holds it from reading the failure counts to
// recording its failure, so that at most Concurrency logins per process can
// act on a count that is about to grow.
func (h *Hasher) Acquire(ctx context.Context) (release func(), err error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	return h.release, nil
}

// Compare is Verify for a caller that holds a slot (see Acquire).
func (h *Hasher) Compare(encoded, password string) (bool, error) {
	known := encoded != ""
	if !known {
		encoded = h.dummy
	}
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.MemoryKiB, p.Parallelism, uint32(len(want)))
	return known && subtle.ConstantTimeCompare(got, want) == 1, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(h.maxWait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return retryAfter(ErrBusy, time.Second)
	case <-ctx.Done():
		return fmt.Errorf("wait for a hashing slot: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

func (h *Hasher) encode(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.MemoryKiB, h.params.Iterations, h.params.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadPHC = errors.New("password hash is not an argon2id PHC string")

// decodePHC parses a PHC string, so hashes made with older parameters still verify
// after the configuration changes.
func decodePHC(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(s, "$") // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errBadPHC
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, errBadPHC
		}
		switch k {
		case "m":
			p.MemoryKiB = uint32(n)
		case "t":
			p.Iterations = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, errBadPHC
			}
			p.Parallelism = uint8(n)
		}
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || p.MemoryKiB == 0 || p.Iterations == 0 || p.Parallelism == 0 || len(key) == 0 {
		return p, nil, nil, errBadPHC
	}
	return p, salt, key, nil
}

// randomBytes returns n bytes from the CSPRNG; crypto/rand.Read never fails on the
// platforms Go supports.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
