package mail_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kanmon/kanmon/api/mail"
	"github.com/kanmon/kanmon/api/mail/mailtest"
)

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// row is one outbox row of memOutbox.
type row struct {
	msg                      mail.Message
	next, leaseUntil         time.Time
	sentAt, deadAt, failedAt time.Time
	lastErr                  string
}

// memOutbox is an in-memory mail.Outbox with the semantics the SQL one must
// have; api/store tests the real one.
type memOutbox struct {
	mu     sync.Mutex
	rows   []*row
	claims chan struct{} // one value per Claim, if not full
}

func newOutbox() *memOutbox { return &memOutbox{claims: make(chan struct{}, 1)} }

func (o *memOutbox) add(m mail.Message, now time.Time) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	m.ID = int64(len(o.rows) + 1)
	o.rows = append(o.rows, &row{msg: m, next: now})
	return m.ID
}

func (o *memOutbox) get(id int64) row {
	o.mu.Lock()
	defer o.mu.Unlock()
	return *o.rows[id-1]
}

func (o *memOutbox) Claim(_ context.Context, now time.Time, lease time.Duration, n int) ([]mail.Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	defer func() {
		select {
		case o.claims <- struct{}{}:
		default:
		}
	}()
	var out []mail.Message
	for _, r := range o.rows {
		if len(out) == n {
			break
		}
		if r.sentAt.IsZero() && r.deadAt.IsZero() && !r.next.After(now) && !r.leaseUntil.After(now) {
			r.leaseUntil = now.Add(lease)
			r.msg.Attempts++
			out = append(out, r.msg)
		}
	}
	return out, nil
}

func (o *memOutbox) MarkSent(_ context.Context, id int64, now time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.rows[id-1]
	r.sentAt, r.leaseUntil = now, time.Time{}
	return nil
}

func (o *memOutbox) MarkFailed(_ context.Context, id int64, now, next time.Time, lastErr string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.rows[id-1]
	r.failedAt, r.next, r.lastErr, r.leaseUntil = now, next, lastErr, time.Time{}
	return nil
}

func (o *memOutbox) MarkDead(_ context.Context, id int64, now time.Time, lastErr string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.rows[id-1]
	r.deadAt, r.lastErr, r.leaseUntil = now, lastErr, time.Time{}
	return nil
}

// workerTo returns a worker that sends through real SMTP to addr on clk's
// time, logging into logs.
func workerTo(t *testing.T, addr string, o mail.Outbox, clk *clock, logs *bytes.Buffer) *mail.Worker {
	host, port := mailtest.SplitAddr(t, addr)
	return &mail.Worker{
		Outbox:   o,
		Sender:   newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSNone}),
		Renderer: renderer,
		Logger:   slog.New(slog.NewTextHandler(logs, nil)),
		Now:      clk.Now,
	}
}

func drain(t *testing.T, w *mail.Worker, want int) {
	t.Helper()
	n, err := w.DrainOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("DrainOnce sent %d, want %d", n, want)
	}
}

func checkLogsClean(t *testing.T, logs *bytes.Buffer) {
	t.Helper()
	if strings.Contains(logs.String(), "123456") || strings.Contains(logs.String(), "123 456") {
		t.Errorf("the code reached the log:\n%s", logs)
	}
}

func TestWorkerServerDownThenUp(t *testing.T) {
	clk, o, logs := &clock{t: t0}, newOutbox(), &bytes.Buffer{}
	addr := mailtest.FreeAddr(t)
	w := workerTo(t, addr, o, clk, logs)
	id := o.add(mail.NewLoginCode("taro@example.jp", "ja", "123456", 10), t0)

	drain(t, w, 0)
	r := o.get(id)
	if r.msg.Attempts != 1 || r.lastErr == "" || !r.next.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("after a refused connection: attempts %d, next %v, last error %q", r.msg.Attempts, r.next, r.lastErr)
	}

	srv := startSMTP(t, addr, nil)
	clk.Advance(4 * time.Second)
	drain(t, w, 0) // backoff not over
	if n := len(srv.Received()); n != 0 || o.get(id).msg.Attempts != 1 {
		t.Fatalf("sent during backoff: %d received", n)
	}

	clk.Advance(time.Second)
	drain(t, w, 1)
	clk.Advance(time.Hour)
	drain(t, w, 0)
	if n := len(srv.Received()); n != 1 {
		t.Fatalf("server received %d messages, want exactly 1", n)
	}
	if r := o.get(id); !r.sentAt.Equal(t0.Add(5*time.Second)) || r.msg.Attempts != 2 {
		t.Errorf("sent at %v after %d attempts", r.sentAt, r.msg.Attempts)
	}
	checkLogsClean(t, logs)
}

func TestWorkerServerRefusesThenAccepts(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		code int
	}{{"RCPT", 451}, {"DATA", 554}, {"RCPT", 550}} {
		t.Run(fmt.Sprint(tc.cmd, " ", tc.code), func(t *testing.T) {
			clk, o, logs := &clock{t: t0}, newOutbox(), &bytes.Buffer{}
			srv := startSMTP(t, "127.0.0.1:0", nil)
			w := workerTo(t, srv.Addr, o, clk, logs)
			id := o.add(mail.NewLoginCode("taro@example.jp", "en", "123456", 10), t0)

			srv.Refuse(tc.cmd, &smtp.SMTPError{Code: tc.code, Message: "try later"})
			drain(t, w, 0)
			clk.Advance(5 * time.Second)
			drain(t, w, 0)
			r := o.get(id)
			if r.msg.Attempts != 2 || !strings.Contains(r.lastErr, "try later") || !r.next.Equal(clk.Now().Add(10*time.Second)) {
				t.Fatalf("attempts %d, next %v, last error %q", r.msg.Attempts, r.next, r.lastErr)
			}

			srv.Refuse(tc.cmd, nil)
			clk.Advance(10 * time.Second)
			drain(t, w, 1)
			clk.Advance(time.Hour)
			drain(t, w, 0)
			if n := len(srv.Received()); n != 1 {
				t.Fatalf("server received %d messages, want exactly 1", n)
			}
			checkLogsClean(t, logs)
		})
	}
}

func TestWorkerGivesUp(t *testing.T) {
	clk, o, logs := &clock{t: t0}, newOutbox(), &bytes.Buffer{}
	srv := startSMTP(t, "127.0.0.1:0", nil)
	srv.Refuse("RCPT", &smtp.SMTPError{Code: 550, Message: "no such user"})
	w := workerTo(t, srv.Addr, o, clk, logs)
	w.MaxAttempts = 3
	w.Backoff = func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }
	id := o.add(mail.NewLoginCode("nobody@example.jp", "ja", "123456", 10), t0)

	for attempt := 1; attempt <= 3; attempt++ {
		drain(t, w, 0)
		r := o.get(id)
		if r.msg.Attempts != attempt {
			t.Fatalf("attempts = %d, want %d", r.msg.Attempts, attempt)
		}
		if attempt < 3 && !r.next.Equal(clk.Now().Add(time.Duration(attempt)*time.Minute)) {
			t.Fatalf("attempt %d: next %v", attempt, r.next)
		}
		clk.Advance(time.Duration(attempt) * time.Minute)
	}
	r := o.get(id)
	if !r.deadAt.Equal(t0.Add(3*time.Minute)) || !strings.Contains(r.lastErr, "550") {
		t.Fatalf("not given up: dead at %v, last error %q", r.deadAt, r.lastErr)
	}
	srv.Refuse("RCPT", nil)
	clk.Advance(time.Hour)
	drain(t, w, 0)
	if n := len(srv.Received()); n != 0 || o.get(id).msg.Attempts != 3 {
		t.Fatalf("retried a dead message")
	}
	if !strings.Contains(logs.String(), "mail given up") {
		t.Errorf("giving up not logged:\n%s", logs)
	}
	checkLogsClean(t, logs)
}

func TestWorkerGivesUpOnUnrenderable(t *testing.T) {
	clk, o, logs := &clock{t: t0}, newOutbox(), &bytes.Buffer{}
	srv := startSMTP(t, "127.0.0.1:0", nil)
	w := workerTo(t, srv.Addr, o, clk, logs)
	id := o.add(mail.NewLoginCode("taro@example.jp", "ja", "12345", 10), t0)

	drain(t, w, 0)
	if r := o.get(id); r.deadAt.IsZero() || !strings.Contains(r.lastErr, "6 digits") {
		t.Fatalf("dead at %v, last error %q", r.deadAt, r.lastErr)
	}
	if n := len(srv.Received()); n != 0 {
		t.Fatalf("server received %d", n)
	}
}

func TestWorkerLease(t *testing.T) {
	clk, o, logs := &clock{t: t0}, newOutbox(), &bytes.Buffer{}
	srv := startSMTP(t, "127.0.0.1:0", nil)
	w := workerTo(t, srv.Addr, o, clk, logs)
	w.Lease = time.Minute
	id := o.add(mail.NewLoginCode("taro@example.jp", "ja", "123456", 10), t0)

	// Another replica claims the message and dies before recording anything.
	if _, err := o.Claim(context.Background(), t0, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	drain(t, w, 0) // still leased
	clk.Advance(time.Minute)
	drain(t, w, 1)
	if n, r := len(srv.Received()), o.get(id); n != 1 || r.msg.Attempts != 2 {
		t.Fatalf("received %d after %d attempts", n, r.msg.Attempts)
	}

	// Leases that keep expiring count as attempts, so they end too.
	w.MaxAttempts = 2
	id = o.add(mail.NewLoginCode("hanako@example.jp", "ja", "123456", 10), clk.Now())
	for range 2 {
		if _, err := o.Claim(context.Background(), clk.Now(), time.Minute, 10); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
	drain(t, w, 0)
	if r := o.get(id); r.deadAt.IsZero() || len(srv.Received()) != 1 {
		t.Fatalf("dead at %v, %d received", r.deadAt, len(srv.Received()))
	}
}

func TestWorkerWake(t *testing.T) {
	clk, o, logs := &clock{t: t0}, newOutbox(), &bytes.Buffer{}
	srv := startSMTP(t, "127.0.0.1:0", nil)
	w := workerTo(t, srv.Addr, o, clk, logs)
	w.PollInterval = time.Hour // only Wake can make it look again

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	<-o.claims // the drain at start has looked at the empty outbox

	o.add(mail.NewLoginCode("taro@example.jp", "ja", "123456", 10), t0)
	w.Wake()
	w.Wake() // never blocks
	select {
	case <-srv.Delivered():
	case <-time.After(30 * time.Second):
		t.Fatal("Wake did not send the message")
	}
	cancel()
	<-done
	if n := len(srv.Received()); n != 1 {
		t.Fatalf("server received %d messages, want 1", n)
	}
}

func TestDefaultBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{
		0: 5 * time.Second, 1: 5 * time.Second, 2: 10 * time.Second, 3: 20 * time.Second,
		7: 320 * time.Second, 8: 10 * time.Minute, 1000: 10 * time.Minute,
	} {
		if got := mail.DefaultBackoff(attempt); got != want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", attempt, got, want)
		}
	}
}

func TestLogSender(t *testing.T) {
	var logs bytes.Buffer
	s := mail.LogSender{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if err := s.Send(context.Background(), mail.Envelope{To: "taro@example.jp", Subject: "s", Text: "code 123 456"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "123 456") || !strings.Contains(logs.String(), "taro@example.jp") {
		t.Errorf("dev log lacks the mail:\n%s", logs.String())
	}
}
