package mail

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Outbox is the durable queue the Worker drains; api/store implements it.
// A mail is written to the outbox in the same transaction as the step that
// causes it, so it is sent at least once even if the process dies.
type Outbox interface {
	// Claim leases up to n messages that are due (next attempt at or before
	// now, not sent, not given up, lease absent or expired) until now+lease,
	// increments their attempts and returns them with the new count. Two
	// replicas must never hold the same row: FOR UPDATE SKIP LOCKED on
	// PostgreSQL, one UPDATE … RETURNING on SQLite.
	Claim(ctx context.Context, now time.Time, lease time.Duration, n int) ([]Message, error)
	// MarkSent records delivery and ends the lease. It may also clear the
	// message's Data: once sent, the row need not keep a code or reset link.
	MarkSent(ctx context.Context, id int64, now time.Time) error
	// MarkFailed records a failed attempt with its error, ends the lease and
	// makes the message due again at next.
	MarkFailed(ctx context.Context, id int64, now, next time.Time, lastErr string) error
	// MarkDead records the last error and gives up on the message for good.
	MarkDead(ctx context.Context, id int64, now time.Time, lastErr string) error
}

// Worker sends the outbox's due messages, retrying failures with backoff.
// Several replicas may each run one: Claim keeps them apart. Delivery is at
// least once: a crash between the SMTP server's acceptance and MarkSent sends
// the mail again when the lease expires.
//
// Zero fields take the defaults noted. The Worker logs ids, template, attempt
// and errors, never a body, code or link.
type Worker struct {
	Outbox   Outbox
	Sender   Sender
	Renderer *Renderer
	Logger   *slog.Logger // default slog.Default()

	Now          func() time.Time                // default time.Now
	PollInterval time.Duration                   // how often Run looks without a Wake; default 10 s
	Lease        time.Duration                   // longer than a send can take (a few SMTP timeouts); default 2 min
	Batch        int                             // messages per claim; default 10
	MaxAttempts  int                             // then give up; default 10
	Backoff      func(attempt int) time.Duration // wait after the attempt-th failure; default DefaultBackoff

	once sync.Once
	wake chan struct{}
}

// DefaultBackoff waits 5 s after the first failure and doubles each time, up
// to 10 minutes: 5 s, 10 s, 20 s … 320 s, then 10 min.
func DefaultBackoff(attempt int) time.Duration {
	const base, limit = 5 * time.Second, 10 * time.Minute
	shift := min(max(attempt-1, 0), 7) // 5 s << 7 is already past the limit
	return min(base<<shift, limit)
}

func (w *Worker) wakeChan() chan struct{} {
	w.once.Do(func() { w.wake = make(chan struct{}, 1) })
	return w.wake
}

// Wake makes Run look at the outbox now rather than at the next poll; call it
// after committing a new message. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wakeChan() <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Run drains the outbox at start, on every Wake and every PollInterval, until
// ctx is done. Storage errors are logged and retried at the next poll.
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(cmp.Or(w.PollInterval, 10*time.Second))
	defer tick.Stop()
	for {
		if _, err := w.DrainOnce(ctx); err != nil && ctx.Err() == nil {
			w.logger().ErrorContext(ctx, "mail outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-w.wakeChan():
		}
	}
}

// DrainOnce sends every message due now, claiming a batch at a time until a
// claim comes back short, and returns how many were sent. Failed sends are
// recorded on the message, not returned; the error is a storage error.
func (w *Worker) DrainOnce(ctx context.Context) (int, error) {
	batch := cmp.Or(w.Batch, 10)
	sent := 0
	for ctx.Err() == nil {
		msgs, err := w.Outbox.Claim(ctx, w.now(), cmp.Or(w.Lease, 2*time.Minute), batch)
		if err != nil {
			return sent, fmt.Errorf("claim outbox: %w", err)
		}
		for _, m := range msgs {
			ok, err := w.deliver(ctx, m)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(msgs) < batch {
			break
		}
	}
	return sent, nil
}

// deliver makes one attempt at m and records the outcome. It reports whether
// m was sent; the error is a storage error.
func (w *Worker) deliver(ctx context.Context, m Message) (bool, error) {
	maxAttempts := cmp.Or(w.MaxAttempts, 10)
	log := w.logger().With("mail_id", m.ID, "template", m.Template, "attempt", m.Attempts)
	// The outcome is recorded even when ctx ends during the send, or the
	// message would wait for its lease to expire.
	rctx := context.WithoutCancel(ctx)

	if m.Attempts > maxAttempts { // leases expired without a recorded outcome
		return false, w.giveUp(rctx, log, m, "no outcome recorded after the last attempt")
	}
	subject, text, html, err := w.Renderer.Render(m)
	if err != nil { // the same data will never render
		return false, w.giveUp(rctx, log, m, err.Error())
	}
	err = w.Sender.Send(ctx, Envelope{To: m.To, Subject: subject, Text: text, HTML: html})
	now := w.now()
	if err == nil {
		if err := w.Outbox.MarkSent(rctx, m.ID, now); err != nil {
			return true, fmt.Errorf("mark mail %d sent: %w", m.ID, err)
		}
		log.InfoContext(ctx, "mail sent")
		return true, nil
	}
	if m.Attempts >= maxAttempts {
		return false, w.giveUp(rctx, log, m, err.Error())
	}
	backoff := DefaultBackoff
	if w.Backoff != nil {
		backoff = w.Backoff
	}
	next := now.Add(backoff(m.Attempts))
	if err := w.Outbox.MarkFailed(rctx, m.ID, now, next, err.Error()); err != nil {
		return false, fmt.Errorf("mark mail %d failed: %w", m.ID, err)
	}
	log.WarnContext(ctx, "mail not sent, will retry", "err", err, "next_attempt", next)
	return false, nil
}

func (w *Worker) giveUp(ctx context.Context, log *slog.Logger, m Message, lastErr string) error {
	if err := w.Outbox.MarkDead(ctx, m.ID, w.now(), lastErr); err != nil {
		return fmt.Errorf("mark mail %d dead: %w", m.ID, err)
	}
	log.ErrorContext(ctx, "mail given up", "err", lastErr)
	return nil
}

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.Default()
	}
	return w.Logger
}
