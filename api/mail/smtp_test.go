package mail_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kanmon/kanmon/api/mail"
	"github.com/kanmon/kanmon/api/mail/mailtest"
)

// startSMTP serves on addr ("127.0.0.1:0" for any port). With tlsConfig set
// it offers STARTTLS and AUTH PLAIN (only after TLS) for kanmon / s3cret.
func startSMTP(t *testing.T, addr string, tlsConfig *tls.Config) *mailtest.Server {
	t.Helper()
	return mailtest.StartWith(t, addr, mailtest.Options{TLS: tlsConfig, Username: "kanmon", Password: "s3cret"})
}

func newSender(t *testing.T, cfg mail.SMTPConfig) *mail.SMTPSender {
	t.Helper()
	cfg.From, cfg.FromName = "noreply@city.example.jp", systemName
	cfg.Timeout = 10 * time.Second
	s, err := mail.NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parse takes a received mail apart and checks that every part is UTF-8.
func parse(t *testing.T, data []byte) mailtest.Message {
	t.Helper()
	p := mailtest.Parse(t, data)
	for _, part := range p.Parts {
		if !strings.EqualFold(part.Charset, "utf-8") {
			t.Errorf("part %s charset %q, want UTF-8", part.Type, part.Charset)
		}
	}
	return p
}

func TestSMTPSend(t *testing.T) {
	cert, pool := mailtest.SelfSigned(t)
	tests := []struct {
		name     string
		tls      mail.TLSMode
		username string
		lang     string
		subject  string
		code     string
	}{
		{"plain ja", mail.TLSNone, "", "ja", "【横浜市電子請求システム】ログイン用の確認コード", "123 456"},
		{"starttls with auth en", mail.TLSStartTLS, "kanmon", "en", "[横浜市電子請求システム] Your sign-in code", "123 456"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSMTP(t, "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
			host, port := mailtest.SplitAddr(t, srv.Addr)
			s := newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: tc.tls,
				Username: tc.username, Password: "s3cret", TLSConfig: &tls.Config{RootCAs: pool}})
			subject, text, html, err := renderer.Render(mail.NewLoginCode("taro@example.jp", tc.lang, "123456", 10))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Send(context.Background(), mail.Envelope{To: "taro@example.jp", Subject: subject, Text: text, HTML: html}); err != nil {
				t.Fatal(err)
			}
			got := srv.Received()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			r := got[0]
			if r.From != "noreply@city.example.jp" || len(r.To) != 1 || r.To[0] != "taro@example.jp" {
				t.Errorf("envelope from %q to %q", r.From, r.To)
			}
			if r.AuthUser != tc.username {
				t.Errorf("authenticated as %q, want %q", r.AuthUser, tc.username)
			}
			p := parse(t, r.Data)
			if p.From.Address != "noreply@city.example.jp" || p.From.Name != systemName {
				t.Errorf("From = %v", p.From)
			}
			if p.To.Address != "taro@example.jp" {
				t.Errorf("To = %v", p.To)
			}
			if p.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", p.Subject, tc.subject)
			}
			if v := p.Header.Get("Auto-Submitted"); v != "auto-generated" {
				t.Errorf("Auto-Submitted = %q", v)
			}
			if id := p.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@city.example.jp>") {
				t.Errorf("Message-ID = %q", id)
			}
			if _, err := p.Header.Date(); err != nil {
				t.Errorf("Date: %v", err)
			}
			if !strings.Contains(p.Text, tc.code) || !strings.Contains(p.HTML, tc.code) {
				t.Errorf("code %q missing:\ntext: %s\nhtml: %s", tc.code, p.Text, p.HTML)
			}
			if p.Text != text || p.HTML != html {
				t.Errorf("bodies changed in transit")
			}
		})
	}
}

func TestSMTPSendImplicitTLS(t *testing.T) {
	cert, pool := mailtest.SelfSigned(t)
	srv := mailtest.StartWith(t, "127.0.0.1:0", mailtest.Options{TLS: &tls.Config{Certificates: []tls.Certificate{cert}},
		ImplicitTLS: true, Username: "kanmon", Password: "s3cret"})
	host, port := mailtest.SplitAddr(t, srv.Addr)
	s := newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSImplicit,
		Username: "kanmon", Password: "s3cret", TLSConfig: &tls.Config{RootCAs: pool}})
	if err := s.Send(context.Background(), mail.Envelope{To: "taro@example.jp", Subject: "件名", Text: "本文", HTML: "<p>本文</p>"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Received(); len(got) != 1 || got[0].AuthUser != "kanmon" {
		t.Fatalf("received %+v", got)
	}
}

func TestSMTPSendFails(t *testing.T) {
	cert, pool := mailtest.SelfSigned(t)
	srv := startSMTP(t, "127.0.0.1:0", nil) // no STARTTLS offered
	host, port := mailtest.SplitAddr(t, srv.Addr)
	env := mail.Envelope{To: "taro@example.jp", Subject: "s", Text: "t"}

	t.Run("starttls required but not offered", func(t *testing.T) {
		s := newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSStartTLS, TLSConfig: &tls.Config{RootCAs: pool}})
		if err := s.Send(context.Background(), env); err == nil {
			t.Fatal("sent without TLS")
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		tlsSrv := startSMTP(t, "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
		h, p := mailtest.SplitAddr(t, tlsSrv.Addr)
		s := newSender(t, mail.SMTPConfig{Host: h, Port: p, TLS: mail.TLSStartTLS}) // system roots
		if err := s.Send(context.Background(), env); err == nil {
			t.Fatal("trusted a self-signed certificate")
		}
	})
	t.Run("no plain-text password", func(t *testing.T) {
		s := newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSNone, Username: "kanmon", Password: "s3cret"})
		if err := s.Send(context.Background(), env); err == nil {
			t.Fatal("sent a password in clear text")
		}
	})
	t.Run("recipient refused", func(t *testing.T) {
		srv.Refuse("RCPT", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
		defer srv.Refuse("RCPT", nil)
		s := newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSNone})
		err := s.Send(context.Background(), env)
		if err == nil || !strings.Contains(err.Error(), "550") {
			t.Fatalf("err = %v, want a 550", err)
		}
	})
	if n := len(srv.Received()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestNewSMTPSenderRejects(t *testing.T) {
	for _, cfg := range []mail.SMTPConfig{
		{From: "noreply@city.example.jp"},                                   // no host
		{Host: "smtp.example.jp", From: "not an address"},                   // bad from
		{Host: "smtp.example.jp", From: "a@example.jp", TLS: "opportunist"}, // bad mode
	} {
		if _, err := mail.NewSMTPSender(cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
