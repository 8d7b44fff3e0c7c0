package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"path"
	"strconv"
	"strings"
	texttemplate "text/template"
)

// Template names: the kinds of mail Kanmon sends.
const (
	LoginCode     = "login_code"     // Data: "code" (6 digits), "valid_minutes" (default 10)
	PasswordReset = "password_reset" // Data: "url" (absolute http(s)), "valid_minutes"
)

// Message is one mail in the outbox: what to send, not yet rendered, so the
// row holds no HTML and the wording can change before a retry.
type Message struct {
	ID       int64
	To       string
	Lang     string            // "ja" or "en"; empty means "ja"
	Template string            // LoginCode or PasswordReset
	Data     map[string]string // per template, see the constants
	Attempts int               // delivery attempts so far, counting the current claim
}

// NewLoginCode returns the mail that carries a login code, valid for
// validMinutes.
func NewLoginCode(to, lang, code string, validMinutes int) Message {
	return Message{To: to, Lang: lang, Template: LoginCode, Data: map[string]string{
		"code": code, "valid_minutes": strconv.Itoa(validMinutes),
	}}
}

// NewPasswordReset returns the mail that carries a password-reset link, valid
// for validMinutes.
func NewPasswordReset(to, lang, resetURL string, validMinutes int) Message {
	return Message{To: to, Lang: lang, Template: PasswordReset, Data: map[string]string{
		"url": resetURL, "valid_minutes": strconv.Itoa(validMinutes),
	}}
}

//go:embed templates
var templateFS embed.FS

// Each mail is templates/<template>.<lang>.txt (which also defines "subject")
// and templates/<template>.<lang>.html, parsed one file at a time so that the
// "subject" blocks do not replace each other.
var (
	textTemplates = parseTemplates("*.txt", func(name, src string) (*texttemplate.Template, error) {
		return texttemplate.New(name).Option("missingkey=error").Parse(src)
	})
	htmlTemplates = parseTemplates("*.html", func(name, src string) (*htmltemplate.Template, error) {
		return htmltemplate.New(name).Option("missingkey=error").Parse(src)
	})
)

func parseTemplates[T any](pattern string, parse func(name, src string) (T, error)) map[string]T {
	names, err := fs.Glob(templateFS, path.Join("templates", pattern))
	if err != nil {
		panic(err)
	}
	out := make(map[string]T, len(names))
	for _, name := range names {
		src, err := templateFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		key := strings.TrimSuffix(path.Base(name), path.Ext(name)) // "login_code.ja"
		if out[key], err = parse(key, string(src)); err != nil {
			panic(fmt.Sprintf("mail template %s: %v", name, err))
		}
	}
	return out
}

// Renderer turns a Message into the subject and bodies of a mail.
type Renderer struct {
	SystemName string // shown in every subject and signature: 横浜市電子請求システム
	HelpDesk   string // optional contact line in the signature, e.g. a phone number and hours
}

// view is what the templates see.
type view struct {
	SystemName, HelpDesk, Subject string
	Code                          string // "123 456"
	URL                           string
	ValidMinutes                  int
}

// Render returns the subject, plain-text body and HTML body of m. An error
// means m can never be rendered (unknown template or language, bad data):
// retrying will not help.
func (r *Renderer) Render(m Message) (subject, text, html string, err error) {
	if r.SystemName == "" {
		return "", "", "", fmt.Errorf("render mail %d: renderer has no system name", m.ID)
	}
	lang := m.Lang
	if lang == "" {
		lang = "ja"
	}
	key := m.Template + "." + lang
	tt, ok := textTemplates[key]
	if !ok {
		return "", "", "", fmt.Errorf("render mail %d: no template %q in language %q", m.ID, m.Template, lang)
	}
	v, err := r.view(m)
	if err != nil {
		return "", "", "", fmt.Errorf("render mail %d (%s): %w", m.ID, key, err)
	}
	var b bytes.Buffer
	if err := tt.ExecuteTemplate(&b, "subject", v); err != nil {
		return "", "", "", fmt.Errorf("render mail %d subject (%s): %w", m.ID, key, err)
	}
	v.Subject = strings.TrimSpace(b.String())
	b.Reset()
	if err := tt.Execute(&b, v); err != nil {
		return "", "", "", fmt.Errorf("render mail %d text (%s): %w", m.ID, key, err)
	}
	text = b.String()
	b.Reset()
	if err := htmlTemplates[key].Execute(&b, v); err != nil {
		return "", "", "", fmt.Errorf("render mail %d html (%s): %w", m.ID, key, err)
	}
	return v.Subject, text, b.String(), nil
}

func (r *Renderer) view(m Message) (view, error) {
	v := view{SystemName: r.SystemName, HelpDesk: r.HelpDesk}
	minutes := m.Data["valid_minutes"]
	switch m.Template {
	case LoginCode:
		code, err := formatCode(m.Data["code"])
		if err != nil {
			return v, err
		}
		v.Code = code
		if minutes == "" {
			minutes = "10" // the login flow's code lifetime in DESIGN.md
		}
	case PasswordReset:
		u, err := url.Parse(m.Data["url"])
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return v, fmt.Errorf("url must be an absolute http(s) URL")
		}
		v.URL = u.String()
	}
	n, err := strconv.Atoi(minutes)
	if err != nil || n <= 0 {
		return v, fmt.Errorf("valid_minutes must be a positive number, got %q", minutes)
	}
	v.ValidMinutes = n
	return v, nil
}

// formatCode shows a 6-digit code as "123 456", easier to read and type.
func formatCode(code string) (string, error) {
	if len(code) != 6 {
		return "", fmt.Errorf("code must be 6 digits, got %d characters", len(code))
	}
	for _, c := range []byte(code) {
		if c < '0' || c > '9' {
			return "", fmt.Errorf("code must be 6 digits")
		}
	}
	return code[:3] + " " + code[3:], nil
}
