package mail

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLSMode says how the SMTP connection is encrypted.
type TLSMode string

// The TLS modes. There is no opportunistic mode: a sign-in code must not
// travel in clear text because a server forgot to offer STARTTLS.
const (
	TLSNone     TLSMode = "none"     // plain SMTP, e.g. a relay on localhost; default port 25
	TLSStartTLS TLSMode = "starttls" // STARTTLS required; default port 587
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (SMTPS); default port 465
)

// SMTPConfig is what the SMTP sender needs to reach the mail server.
type SMTPConfig struct {
	Host     string
	Port     int     // 0: the TLS mode's default port
	TLS      TLSMode // empty: TLSStartTLS
	Username string  // AUTH is used only when Username is set
	Password string
	From     string        // sender address, e.g. noreply@city.yokohama.example.jp
	FromName string        // display name, e.g. 横浜市電子請求システム
	Timeout  time.Duration // per connection and per SMTP command; 0: 30 s
	// TLSConfig overrides certificate checks, e.g. RootCAs for a private CA.
	// nil: the system roots, with the server name Host.
	TLSConfig *tls.Config
}

// SMTPSender sends mail through an SMTP server with go-mail.
type SMTPSender struct {
	from   mail.Address
	domain string // for Message-ID
	host   string
	opts   []gomail.Option
}

// NewSMTPSender checks cfg and returns a sender for it. It does not connect.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, fmt.Errorf("smtp config: host is empty")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp config: from address %q: %w", cfg.From, err)
	}
	from.Name = cfg.FromName
	timeout := cmp.Or(cfg.Timeout, 30*time.Second)
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = cfg.Host
	}
	opts := []gomail.Option{gomail.WithTimeout(timeout), gomail.WithTLSConfig(tlsConfig)}
	port := cfg.Port
	switch cfg.TLS {
	case TLSNone:
		opts, port = append(opts, gomail.WithTLSPolicy(gomail.NoTLS)), cmp.Or(port, 25)
	case TLSStartTLS, "":
		opts, port = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory)), cmp.Or(port, 587)
	case TLSImplicit:
		opts, port = append(opts, gomail.WithSSL()), cmp.Or(port, 465)
	default:
		return nil, fmt.Errorf("smtp config: TLS mode %q is not none, starttls or tls", cfg.TLS)
	}
	opts = append(opts, gomail.WithPort(port))
	if cfg.Username != "" {
		// AutoDiscover picks the strongest mechanism the server offers and
		// refuses PLAIN and LOGIN on an unencrypted connection.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return &SMTPSender{
		from:   *from,
		domain: from.Address[strings.LastIndexByte(from.Address, '@')+1:],
		host:   cfg.Host,
		opts:   opts,
	}, nil
}

// Send delivers e as a UTF-8 multipart/alternative mail (text and HTML),
// marked Auto-Submitted so that vacation responders stay quiet. Each call
// opens its own connection, so Send is safe for concurrent use.
func (s *SMTPSender) Send(ctx context.Context, e Envelope) error {
	m := gomail.NewMsg(gomail.WithEncoding(gomail.EncodingB64), gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(&s.from)
	if err := m.To(e.To); err != nil {
		return fmt.Errorf("smtp send: recipient: %w", err)
	}
	m.Subject(e.Subject)
	m.SetDate()
	m.SetMessageIDWithValue(rand.Text() + "@" + s.domain)
	m.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	// A client per call: go-mail's Client keeps per-connection state.
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}
