// Package mailtest is a real SMTP server (emersion/go-smtp) on the loopback
// interface for tests that follow a mail from the outbox to the wire: it
// records every message it accepts, can be told to refuse commands, can offer
// STARTTLS or implicit TLS and AUTH PLAIN, and takes received messages apart
// (headers decoded, text and HTML bodies).
package mailtest

import (
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

// Received is one message the server accepted.
type Received struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients (RCPT TO)
	Data     []byte   // the message as sent after DATA
	AuthUser string   // the user the session authenticated as; empty without AUTH
}

// Options configure a server; the zero value is plain SMTP without TLS or AUTH.
type Options struct {
	// TLS, if set, is the server's TLS configuration: STARTTLS is offered
	// with it, or, with ImplicitTLS, the connection is TLS from the first
	// byte (SMTPS) and STARTTLS is not offered.
	TLS         *tls.Config
	ImplicitTLS bool
	// Username and Password, if Username is set, make the server offer AUTH
	// PLAIN (on a TLS connection only) and accept just these credentials.
	Username, Password string
}

// Server is an SMTP server on 127.0.0.1.
type Server struct {
	Addr string
	srv  *smtp.Server
	opts Options

	mu        sync.Mutex
	got       []Received
	refuse    map[string]*smtp.SMTPError // command ("MAIL", "RCPT", "DATA") → answer
	delivered chan struct{}
}

// Start serves plain SMTP on addr ("127.0.0.1:0" for any free port, or an
// address a test reserved earlier with FreeAddr) until the test ends.
func Start(t testing.TB, addr string) *Server {
	t.Helper()
	return StartWith(t, addr, Options{})
}

// StartWith is Start with TLS and AUTH as opts says.
func StartWith(t testing.TB, addr string, opts Options) *Server {
	t.Helper()
	if opts.ImplicitTLS && opts.TLS == nil {
		t.Fatal("mailtest: ImplicitTLS without a TLS config")
	}
	s := &Server{opts: opts, refuse: map[string]*smtp.SMTPError{}, delivered: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		if opts.Username != "" {
			return &authSession{session{s: s}}, nil
		}
		return &session{s: s}, nil
	}))
	s.srv.Domain = "mx.test"
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("mailtest: listen on %s: %v", addr, err)
	}
	if opts.ImplicitTLS {
		l = tls.NewListener(l, opts.TLS)
		s.srv.AllowInsecureAuth = true // the connection is TLS from the start
	} else {
		s.srv.TLSConfig = opts.TLS
	}
	s.Addr = l.Addr().String()
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// FreeAddr returns a loopback address where nothing listens (yet): an SMTP
// server that is down.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// SplitAddr splits a host:port address such as Server.Addr for an SMTPConfig.
func SplitAddr(t testing.TB, addr string) (host string, port int) {
	t.Helper()
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ = strconv.Atoi(p)
	return host, port
}

// Sender returns Kanmon's real SMTP sender (no TLS, no AUTH) to addr, from
// noreply@city.example.jp with the display name fromName.
func Sender(t testing.TB, addr, fromName string) *mail.SMTPSender {
	t.Helper()
	host, port := SplitAddr(t, addr)
	s, err := mail.NewSMTPSender(mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSNone,
		From: "noreply@city.example.jp", FromName: fromName})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// SelfSigned returns a server certificate for 127.0.0.1, valid for an hour
// either side of now, and a pool that trusts it.
func SelfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
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

// Refuse makes the server answer cmd ("MAIL", "RCPT" or "DATA"; DATA after
// reading the message) with e, e.g. a 451; a nil e makes it accept cmd again.
func (s *Server) Refuse(cmd string, e *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e == nil {
		delete(s.refuse, cmd)
	} else {
		s.refuse[cmd] = e
	}
}

// RefuseRcpt is Refuse("RCPT", e).
func (s *Server) RefuseRcpt(e *smtp.SMTPError) { s.Refuse("RCPT", e) }

func (s *Server) refusal(cmd string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.refuse[cmd]; e != nil {
		return e
	}
	return nil
}

// Received returns the messages accepted so far, in order.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

// Delivered receives a value after the server accepted a message; messages
// accepted before the value is taken share it, so check Received for how many.
func (s *Server) Delivered() <-chan struct{} { return s.delivered }

type session struct {
	s        *Server
	msg      Received
	authUser string
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if err := ss.s.refusal("MAIL"); err != nil {
		return err
	}
	ss.msg = Received{From: from, AuthUser: ss.authUser}
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
	select {
	case ss.s.delivered <- struct{}{}:
	default:
	}
	return nil
}

func (ss *session) Reset()        { ss.msg = Received{} }
func (ss *session) Logout() error { return nil }

// authSession is a session that offers AUTH PLAIN; go-smtp offers AUTH only to
// sessions that implement smtp.AuthSession.
type authSession struct{ session }

func (ss *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.opts.Username || pass != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authUser = user
		return nil
	}), nil
}

// Message is a received mail taken apart.
type Message struct {
	Header   netmail.Header
	From, To *netmail.Address // display names decoded
	Subject  string           // decoded
	Text     string           // the text/plain part, decoded
	HTML     string           // the text/html part, decoded
	Parts    []Part           // every part, in order
}

// Part is one part of a multipart/alternative mail.
type Part struct {
	Type    string // media type, e.g. text/plain
	Charset string // the charset parameter as sent
	Body    string // decoded
}

// Parse takes a received multipart/alternative mail apart, failing the test on
// anything malformed.
func Parse(t testing.TB, data []byte) Message {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("mailtest: read message: %v", err)
	}
	m := Message{Header: msg.Header}
	if m.From, err = netmail.ParseAddress(msg.Header.Get("From")); err != nil {
		t.Fatalf("mailtest: From %q: %v", msg.Header.Get("From"), err)
	}
	if m.To, err = netmail.ParseAddress(msg.Header.Get("To")); err != nil {
		t.Fatalf("mailtest: To %q: %v", msg.Header.Get("To"), err)
	}
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("mailtest: Subject: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("mailtest: Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("mailtest: part: %v", err)
		}
		ct, cp, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		var r io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, part)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("mailtest: %s body: %v", ct, err)
		}
		m.Parts = append(m.Parts, Part{Type: ct, Charset: cp["charset"], Body: string(body)})
		switch ct {
		case "text/plain":
			m.Text = string(body)
		case "text/html":
			m.HTML = string(body)
		}
	}
	return m
}
