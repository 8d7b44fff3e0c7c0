package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/authtest"
	"github.com/kanmon/kanmon/api/mail"
	"github.com/kanmon/kanmon/api/mail/mailtest"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

const systemName = "横浜市電子請求システム"

// queueCode writes a login-code mail for a new flow of u to the outbox, as
// SendEmailCode does, at now.
func queueCode(t *testing.T, st *store.Store, u *auth.User, code string, now time.Time) {
	t.Helper()
	f, _ := addFlow(t, st, u, auth.MFARequired)
	err := st.IssueEmailCode(context.Background(), &auth.EmailCodeIssue{
		FlowID: f.ID, UserID: u.ID, MAC: []byte("mac"), ExpiresAt: now.Add(10 * time.Minute),
		SentAt: now, NotSentSince: now.Add(-time.Minute),
		Mail:  mail.NewLoginCode(u.Email, "ja", code, 10),
		Audit: auth.AuditEvent{At: now, Type: auth.EventEmailCodeSent, UserID: u.ID},
	})
	if err != nil {
		t.Fatalf("issue email code: %v", err)
	}
}

// outboxState is an outbox row as these tests look at it.
type outboxState struct {
	ID        int64      `bun:"id"`
	ToAddr    string     `bun:"to_addr"`
	Data      string     `bun:"data"`
	Attempts  int        `bun:"attempts"`
	LastError *string    `bun:"last_error"`
	SentAt    *time.Time `bun:"sent_at"`
}

func outboxRows(t *testing.T, st *store.Store) []outboxState {
	t.Helper()
	var rows []outboxState
	err := st.DB().NewSelect().Table("outbox").Column("id", "to_addr", "data", "attempts", "last_error", "sent_at").
		Order("id").Scan(context.Background(), &rows)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	return rows
}

// worker is the real mail worker on st's outbox, sending to addr on clk's time.
func worker(t *testing.T, st *store.Store, addr string, clk *authtest.Clock) *mail.Worker {
	t.Helper()
	return &mail.Worker{
		Outbox: st.Outbox(false), Sender: mailtest.Sender(t, addr, systemName),
		Renderer: &mail.Renderer{SystemName: systemName}, Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func drainOnce(t *testing.T, w *mail.Worker, want int) {
	t.Helper()
	n, err := w.DrainOnce(context.Background())
	if err != nil {
		t.Fatalf("DrainOnce: %v", err)
	}
	if n != want {
		t.Fatalf("DrainOnce sent %d, want %d", n, want)
	}
}

// openAgain opens a second, independent store on the database at url: the
// process after a restart, or another replica.
func openAgain(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(url)
	if err != nil {
		t.Fatalf("open %s again: %v", url, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestOutboxRetriesUntilDelivered: while the SMTP server refuses the recipient
// (451) or is down, each attempt is counted with its error and retried after
// the backoff; once the server takes it the mail is delivered exactly once and
// its code is cleared from the row.
func TestOutboxRetriesUntilDelivered(t *testing.T) {
	tests := []struct {
		name string
		// fail makes the server unable to take mail and returns the
		// address to send to, and how to make it work again.
		fail    func(t *testing.T) (addr string, recover func() *mailtest.Server)
		lastErr string
	}{
		{"451 on RCPT", func(t *testing.T) (string, func() *mailtest.Server) {
			srv := mailtest.Start(t, "127.0.0.1:0")
			srv.RefuseRcpt(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"})
			return srv.Addr, func() *mailtest.Server { srv.RefuseRcpt(nil); return srv }
		}, "451"},
		{"server down", func(t *testing.T) (string, func() *mailtest.Server) {
			addr := mailtest.FreeAddr(t)
			return addr, func() *mailtest.Server { return mailtest.Start(t, addr) }
		}, "connect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.EachDB(t, func(t *testing.T, st *store.Store) {
				clk := authtest.NewClock(t0)
				queueCode(t, st, addUser(t, st, "sato"), "123456", clk.Now())
				addr, recover := tc.fail(t)
				w := worker(t, st, addr, clk)

				for attempt := 1; attempt <= 2; attempt++ {
					drainOnce(t, w, 0)
					rows := outboxRows(t, st)
					if len(rows) != 1 || rows[0].Attempts != attempt || rows[0].LastError == nil ||
						!strings.Contains(*rows[0].LastError, tc.lastErr) || rows[0].SentAt != nil {
						t.Fatalf("after failed attempt %d: %+v; want %d attempts, last error with %q, not sent", attempt, rows, attempt, tc.lastErr)
					}
					drainOnce(t, w, 0) // not due again before the backoff
					if rows := outboxRows(t, st); rows[0].Attempts != attempt {
						t.Fatalf("claimed again before the backoff: %d attempts", rows[0].Attempts)
					}
					clk.Advance(mail.DefaultBackoff(attempt))
				}

				srv := recover()
				drainOnce(t, w, 1)
				clk.Advance(time.Hour)
				drainOnce(t, w, 0)
				if got := srv.Received(); len(got) != 1 || !slices.Equal(got[0].To, []string{"sato@example.jp"}) {
					t.Fatalf("server received %d messages (%+v), want exactly one to sato@example.jp", len(got), got)
				}
				if !strings.Contains(mailtest.Parse(t, srv.Received()[0].Data).Text, "123 456") {
					t.Error("the delivered mail lacks the code")
				}
				rows := outboxRows(t, st)
				if rows[0].SentAt == nil || !rows[0].SentAt.Equal(clk.Now().Add(-time.Hour)) || rows[0].Attempts != 3 {
					t.Errorf("after delivery: %+v; want sent at the third attempt", rows[0])
				}
				if strings.Contains(rows[0].Data, "123456") {
					t.Errorf("a sent mail's row still holds its code: %s", rows[0].Data)
				}
			})
		})
	}
}

// TestOutboxSurvivesCrash: a mail committed by a process that died before
// sending it — or while sending it, holding a lease — is delivered by the
// next process on the same database, once.
func TestOutboxSurvivesCrash(t *testing.T) {
	tests := []struct {
		name  string
		crash func(t *testing.T, st *store.Store, clk *authtest.Clock)
		wait  time.Duration // before the restarted worker finds the mail due
	}{
		{"between commit and send", func(*testing.T, *store.Store, *authtest.Clock) {}, 0},
		{"during the send (lease held)", func(t *testing.T, st *store.Store, clk *authtest.Clock) {
			msgs, err := st.Outbox(false).Claim(context.Background(), clk.Now(), 2*time.Minute, 10)
			if err != nil || len(msgs) != 1 || msgs[0].Attempts != 1 {
				t.Fatalf("claim: %+v, %v; want one message at attempt 1", msgs, err)
			}
		}, 2 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.EachURL(t, func(t *testing.T, url string) {
				ctx := context.Background()
				clk := authtest.NewClock(t0)
				srv := mailtest.Start(t, "127.0.0.1:0")

				before, err := store.Open(url)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := before.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				queueCode(t, before, addUser(t, before, "sato"), "123456", clk.Now())
				tc.crash(t, before, clk)
				if err := before.Close(); err != nil { // the process dies
					t.Fatal(err)
				}

				after := openAgain(t, url)
				w := worker(t, after, srv.Addr, clk)
				if tc.wait > 0 {
					clk.Advance(tc.wait - time.Second)
					drainOnce(t, w, 0) // the dead process's lease still holds
					clk.Advance(time.Second)
				}
				drainOnce(t, w, 1)
				drainOnce(t, w, 0)
				if got := srv.Received(); len(got) != 1 {
					t.Fatalf("server received %d messages, want 1", len(got))
				}
			})
		})
	}
}

// TestOutboxConcurrentWorkers: two replicas (two store handles on one
// database) draining at once never send a message twice, and send them all.
func TestOutboxConcurrentWorkers(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clk := authtest.NewClock(t0)
		srv := mailtest.Start(t, "127.0.0.1:0")
		a := openAgain(t, url)
		if _, err := a.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		const n = 24
		for i := range n {
			queueCode(t, a, addUser(t, a, fmt.Sprintf("user%02d", i)), "123456", clk.Now())
		}
		b := openAgain(t, url)
		workers := []*mail.Worker{worker(t, a, srv.Addr, clk), worker(t, b, srv.Addr, clk)}
		var wg sync.WaitGroup
		sent := make([]int, 2*len(workers))
		errs := make([]error, len(sent))
		for _, w := range workers {
			w.Batch = 2 // many claims, so the workers interleave
		}
		for i := range sent {
			w := workers[i%len(workers)]
			wg.Go(func() { sent[i], errs[i] = w.DrainOnce(ctx) })
		}
		wg.Wait()
		total := 0
		for i := range sent {
			if errs[i] != nil {
				t.Fatalf("drain %d: %v", i, errs[i])
			}
			total += sent[i]
		}
		got := srv.Received()
		seen := map[string]int{}
		for _, r := range got {
			seen[strings.Join(r.To, ",")]++
		}
		for to, k := range seen {
			if k != 1 {
				t.Errorf("%s received %d mails, want 1", to, k)
			}
		}
		if total != n || len(got) != n || len(seen) != n {
			t.Fatalf("workers sent %d, server received %d for %d recipients; want %d of each", total, len(got), len(seen), n)
		}
		for _, r := range outboxRows(t, a) {
			if r.SentAt == nil || r.Attempts != 1 {
				t.Errorf("row %d: %+v; want sent at the first attempt", r.ID, r)
			}
		}
	})
}

// TestOutboxClaim: Claim leases due rows until the lease ends, counts the
// attempt, and a lease that expired without an outcome is claimed again.
func TestOutboxClaim(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		o := st.Outbox(true)
		queueCode(t, st, addUser(t, st, "sato"), "123456", t0)
		queueCode(t, st, addUser(t, st, "abe"), "654321", t0.Add(time.Second))

		if msgs, err := o.Claim(ctx, t0.Add(-time.Second), time.Minute, 10); err != nil || len(msgs) != 0 {
			t.Fatalf("claim before due: %+v, %v; want none", msgs, err)
		}
		msgs, err := o.Claim(ctx, t0, time.Minute, 10)
		if err != nil || len(msgs) != 1 || msgs[0].To != "sato@example.jp" || msgs[0].Attempts != 1 || msgs[0].Data["code"] != "123456" {
			t.Fatalf("claim at t0: %+v, %v; want sato's mail, attempt 1, with its code", msgs, err)
		}
		later := t0.Add(30 * time.Second)
		if msgs, err := o.Claim(ctx, later, time.Minute, 10); err != nil || len(msgs) != 1 || msgs[0].To != "abe@example.jp" {
			t.Fatalf("claim with sato's lease held: %+v, %v; want abe's mail only", msgs, err)
		}
		expired := t0.Add(time.Minute)
		msgs, err = o.Claim(ctx, expired, time.Minute, 10)
		if err != nil || len(msgs) != 1 || msgs[0].To != "sato@example.jp" || msgs[0].Attempts != 2 {
			t.Fatalf("claim after sato's lease expired: %+v, %v; want sato's mail at attempt 2", msgs, err)
		}
		if err := o.MarkSent(ctx, msgs[0].ID, expired); err != nil {
			t.Fatal(err)
		}
		if msgs, err := o.Claim(ctx, expired.Add(time.Hour), time.Minute, 10); err != nil || len(msgs) != 1 || msgs[0].To != "abe@example.jp" {
			t.Fatalf("claim after sato's was sent: %+v, %v; want abe's mail only", msgs, err)
		}
		// keepSent (dev mode) keeps the sent code for the dev mailbox.
		recent, err := o.RecentMail(ctx, 10)
		if err != nil || len(recent) != 2 || recent[1].SentAt == nil || recent[1].Data["code"] != "123456" {
			t.Fatalf("recent mail %+v, %v; want sato's sent mail with its code kept", recent, err)
		}
	})
}
