// Package mailtest is a real SMTP server (emersion/go-smtp) on the loopback
// interface for tests that follow a mail from the outbox to the wire: it
// records every message it accepts, can be told to refuse recipients, and
// takes received messages apart (headers decoded, text and HTML bodies).
package mailtest

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/kanmon/kanmon/api/mail"
)

// Received is one message the server accepted.
type Received struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Data []byte   // the message as sent after DATA
}

// Server is an SMTP server on 127.0.0.1 without TLS or AUTH.
type Server struct {
	Addr string
	srv  *smtp.Server

	mu     sync.Mutex
	got    []Received
	refuse *smtp.SMTPError
}

// Start serves on addr ("127.0.0.1:0" for any free port, or an address a test
// reserved earlier with FreeAddr) until the test ends.
func Start(t testing.TB, addr string) *Server {
	t.Helper()
	s := &Server{}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	s.srv.Domain = "mx.test"
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("mailtest: listen on %s: %v", addr, err)
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

// Sender returns Kanmon's real SMTP sender (no TLS, no AUTH) to addr, from
// noreply@city.example.jp with the display name fromName.
func Sender(t testing.TB, addr, fromName string) *mail.SMTPSender {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	s, err := mail.NewSMTPSender(mail.SMTPConfig{Host: host, Port: p, TLS: mail.TLSNone,
		From: "noreply@city.example.jp", FromName: fromName})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// RefuseRcpt makes the server answer RCPT TO with e (e.g. a 451); nil makes it
// accept again.
func (s *Server) RefuseRcpt(e *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = e
}

// Received returns the messages accepted so far, in order.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

type session struct {
	s   *Server
	msg Received
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.msg = Received{From: from}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	refuse := ss.s.refuse
	ss.s.mu.Unlock()
	if refuse != nil {
		return refuse
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.msg.Data = b
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, ss.msg)
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.msg = Received{} }
func (ss *session) Logout() error { return nil }

// Message is a received mail taken apart.
type Message struct {
	Header   netmail.Header
	From, To *netmail.Address // display names decoded
	Subject  string           // decoded
	Text     string           // the text/plain part, decoded
	HTML     string           // the text/html part, decoded
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
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		var r io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, part)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("mailtest: %s body: %v", ct, err)
		}
		switch ct {
		case "text/plain":
			m.Text = string(body)
		case "text/html":
			m.HTML = string(body)
		}
	}
	return m
}
