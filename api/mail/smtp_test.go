package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/kanmon/kanmon/api/mail"
)

// received is one message accepted by the test SMTP server.
type received struct {
	From, AuthUser string
	To             []string
	Data           []byte
}

// smtpServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that
// records what it accepts and can be told to refuse.
type smtpServer struct {
	Addr string
	srv  *smtp.Server

	mu       sync.Mutex
	got      []received
	refuseAt string // "RCPT" or "DATA": the command answered with refuse
	refuse   *smtp.SMTPError
	delivery chan struct{} // one value per accepted message
}

// startSMTP serves on addr ("127.0.0.1:0" for any port). With tlsConfig set
// it offers STARTTLS and AUTH PLAIN (only after TLS).
func startSMTP(t *testing.T, addr string, tlsConfig *tls.Config) *smtpServer {
	t.Helper()
	s := &smtpServer{delivery: make(chan struct{}, 100)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	s.srv.Domain = "mx.test"
	s.srv.TLSConfig = tlsConfig
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	go s.srv.Serve(l)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *smtpServer) hostPort(t *testing.T) (string, int) { return splitAddr(t, s.Addr) }

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// setRefuse makes the server answer cmd ("RCPT" or "DATA") with e; a nil e
// makes it accept again.
func (s *smtpServer) setRefuse(cmd string, e *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseAt, s.refuse = cmd, e
}

func (s *smtpServer) refusal(cmd string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil && s.refuseAt == cmd {
		return s.refuse
	}
	return nil
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

type session struct {
	s        *smtpServer
	msg      received
	authUser string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "kanmon" || pass != "s3cret" {
			return smtp.ErrAuthFailed
		}
		ss.authUser = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.msg = received{From: from, AuthUser: ss.authUser}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.refusal("RCPT"); err != nil {
		return err
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.s.refusal("DATA"); err != nil {
		return err
	}
	ss.msg.Data = b
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, ss.msg)
	ss.s.mu.Unlock()
	ss.s.delivery <- struct{}{}
	return nil
}

func (ss *session) Reset()        { ss.msg = received{} }
func (ss *session) Logout() error { return nil }

// selfSigned returns a server certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "kanmon test SMTP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
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

// parsed is a received mail taken apart with net/mail and mime/multipart.
type parsed struct {
	Header     netmail.Header
	From, To   *netmail.Address
	Subject    string
	Text, HTML string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{Header: msg.Header}
	if p.From, err = netmail.ParseAddress(msg.Header.Get("From")); err != nil {
		t.Fatal(err)
	}
	if p.To, err = netmail.ParseAddress(msg.Header.Get("To")); err != nil {
		t.Fatal(err)
	}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, cp, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if !strings.EqualFold(cp["charset"], "utf-8") {
			t.Errorf("part %s charset %q, want UTF-8", ct, cp["charset"])
		}
		var r io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, part)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		switch ct {
		case "text/plain":
			p.Text = string(body)
		case "text/html":
			p.HTML = string(body)
		}
	}
	return p
}

func TestSMTPSend(t *testing.T) {
	cert, pool := selfSigned(t)
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
			host, port := srv.hostPort(t)
			s := newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: tc.tls,
				Username: tc.username, Password: "s3cret", TLSConfig: &tls.Config{RootCAs: pool}})
			subject, text, html, err := renderer.Render(mail.NewLoginCode("taro@example.jp", tc.lang, "123456", 10))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Send(context.Background(), mail.Envelope{To: "taro@example.jp", Subject: subject, Text: text, HTML: html}); err != nil {
				t.Fatal(err)
			}
			got := srv.received()
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
	cert, pool := selfSigned(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &smtpServer{delivery: make(chan struct{}, 1)}
	srv.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: srv}, nil }))
	srv.srv.AllowInsecureAuth = true // the connection is TLS from the start, which go-smtp cannot see
	srv.Addr = l.Addr().String()
	go srv.srv.Serve(l)
	t.Cleanup(func() { srv.srv.Close() })

	host, port := srv.hostPort(t)
	s := newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSImplicit,
		Username: "kanmon", Password: "s3cret", TLSConfig: &tls.Config{RootCAs: pool}})
	if err := s.Send(context.Background(), mail.Envelope{To: "taro@example.jp", Subject: "件名", Text: "本文", HTML: "<p>本文</p>"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.received(); len(got) != 1 || got[0].AuthUser != "kanmon" {
		t.Fatalf("received %+v", got)
	}
}

func TestSMTPSendFails(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := startSMTP(t, "127.0.0.1:0", nil) // no STARTTLS offered
	host, port := srv.hostPort(t)
	env := mail.Envelope{To: "taro@example.jp", Subject: "s", Text: "t"}

	t.Run("starttls required but not offered", func(t *testing.T) {
		s := newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSStartTLS, TLSConfig: &tls.Config{RootCAs: pool}})
		if err := s.Send(context.Background(), env); err == nil {
			t.Fatal("sent without TLS")
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		tlsSrv := startSMTP(t, "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
		h, p := tlsSrv.hostPort(t)
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
		srv.setRefuse("RCPT", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
		defer srv.setRefuse("", nil)
		s := newSender(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSNone})
		err := s.Send(context.Background(), env)
		if err == nil || !strings.Contains(err.Error(), "550") {
			t.Fatalf("err = %v, want a 550", err)
		}
	})
	if n := len(srv.received()); n != 0 {
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
