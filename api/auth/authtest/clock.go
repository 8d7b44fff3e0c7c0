// Package authtest holds helpers for tests of the auth domain and of the layers
// above it: a clock that moves only when told, so no test sleeps to wait for time.
package authtest

import (
	"sync"
	"time"
)

// T0 is the instant test clocks start at by default: a whole TOTP step, in UTC,
// at the microsecond precision both databases keep.
var T0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// Clock is a test clock. Pass its Now method where the code under test takes a
// `now func() time.Time`; move it with Advance. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
