package api

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kanmon/kanmon/api/mail"
	"github.com/kanmon/kanmon/api/store"
)

// DevMailbox shows the mail outbox on a page, so that in dev mode, without a
// mail server, a new user can still finish the e-mail path. It is never routed
// outside dev mode.
type DevMailbox struct {
	Recent   func(ctx context.Context, n int) ([]store.MailboxEntry, error)
	Renderer *mail.Renderer
}

var devMailPage = template.Must(template.New("devmail").Parse(`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>開発用メールボックス / Dev mailbox</title></head>
<body><h1>開発用メールボックス / Dev mailbox</h1>
<p>開発モード専用: 送信待ちのメールと送信済みのメールです。本番モードでは表示されません。 Dev mode only: mail Kanmon has queued or sent.</p>
{{range .}}<article><h2>{{.Subject}}</h2>
<p>To: {{.To}} · {{.Created}} · {{.Status}}</p><pre>{{.Text}}</pre></article><hr>
{{else}}<p>メールはまだありません。 No mail yet.</p>{{end}}
</body></html>`))

type devMailView struct {
	To, Subject, Text, Created, Status string
}

// getDevMail renders the newest mails.
func (s *Server) getDevMail(c echo.Context) error {
	entries, err := s.cfg.DevMailbox.Recent(c.Request().Context(), 50)
	if err != nil {
		return err
	}
	views := make([]devMailView, 0, len(entries))
	for _, e := range entries {
		v := devMailView{To: e.To, Created: e.CreatedAt.Local().Format(time.DateTime), Status: "queued"}
		switch {
		case e.SentAt != nil:
			v.Status = "sent " + e.SentAt.Local().Format(time.TimeOnly)
		case e.LastError != "":
			v.Status = "retrying: " + e.LastError
		}
		if v.Subject, v.Text, _, err = s.cfg.DevMailbox.Renderer.Render(e.Message); err != nil {
			v.Subject, v.Text = e.Template, fmt.Sprintf("(cannot render: %v)", err)
		}
		views = append(views, v)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(http.StatusOK)
	return devMailPage.Execute(c.Response(), views)
}
