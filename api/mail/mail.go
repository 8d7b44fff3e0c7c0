// Package mail is the mail part of Kanmon: it renders the login-code and
// password-reset mails (Japanese and English, plain text and HTML), sends them
// over SMTP (or to the log in dev mode), and drains the durable outbox with a
// Worker that retries with backoff, so a mail written in the same transaction
// as a login step survives restarts and SMTP outages.
//
// Storage stays outside: the Worker talks to an Outbox, implemented in
// api/store.
package mail

import (
	"context"
	"log/slog"
)

// Envelope is one rendered mail, ready for a Sender.
type Envelope struct {
	To      string // a bare address: user@example.jp
	Subject string
	Text    string // text/plain body
	HTML    string // text/html alternative; may be empty
}

// Sender delivers one mail. An error means the mail was not accepted and may
// be retried; Send must not retry by itself.
type Sender interface {
	Send(ctx context.Context, e Envelope) error
}

// LogSender writes each mail, body included, to Logger instead of sending it.
// It is the sender for dev mode (no SMTP configured) only: the log then holds
// login codes and reset links, which is what makes dev sign-in possible and
// what must never happen in production.
type LogSender struct {
	Logger *slog.Logger
}

// Send logs e at info level and never fails.
func (s LogSender) Send(ctx context.Context, e Envelope) error {
	s.Logger.InfoContext(ctx, "mail not sent (dev mode: no SMTP configured)",
		"to", e.To, "subject", e.Subject, "text", e.Text)
	return nil
}
