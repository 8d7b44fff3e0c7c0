package mail_test

import (
	"strings"
	"testing"

	"github.com/kanmon/kanmon/api/mail"
)

const systemName = "横浜市電子請求システム"

var renderer = &mail.Renderer{SystemName: systemName, HelpDesk: "045-000-0000（平日 9時〜17時）"}

func TestRender(t *testing.T) {
	reset := "https://kanmon.example.jp/password/reset#t=abc&x=<1>"
	tests := []struct {
		name    string
		msg     mail.Message
		subject string
		want    []string // in both the text and the HTML body
	}{
		{"login code ja", mail.NewLoginCode("a@example.jp", "ja", "123456", 10),
			"【横浜市電子請求システム】ログイン用の確認コード",
			[]string{"123 456", "10分間", "ヘルプデスク", "045-000-0000", systemName}},
		{"login code default lang and minutes", mail.Message{Template: mail.LoginCode, Data: map[string]string{"code": "000042"}},
			"【横浜市電子請求システム】ログイン用の確認コード",
			[]string{"000 042", "10分間"}},
		{"login code en", mail.NewLoginCode("a@example.jp", "en", "987654", 5),
			"[横浜市電子請求システム] Your sign-in code",
			[]string{"987 654", "5 minutes", "help desk", systemName}},
		{"password reset ja", mail.NewPasswordReset("a@example.jp", "ja", reset, 30),
			"【横浜市電子請求システム】パスワード再設定のご案内",
			[]string{"30分間", "kanmon.example.jp/password/reset"}},
		{"password reset en", mail.NewPasswordReset("a@example.jp", "en", reset, 60),
			"[横浜市電子請求システム] Resetting your password",
			[]string{"60 minutes", "kanmon.example.jp/password/reset"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			subject, text, html, err := renderer.Render(tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			if subject != tc.subject {
				t.Errorf("subject = %q, want %q", subject, tc.subject)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
				if !strings.Contains(html, w) {
					t.Errorf("html lacks %q:\n%s", w, html)
				}
			}
			if tc.msg.Template == mail.LoginCode && (strings.Contains(text, "http") || strings.Contains(html, "href")) {
				t.Errorf("a login-code mail must carry no link:\n%s\n%s", text, html)
			}
			if strings.Contains(text, "{{") || strings.Contains(html, "{{") || strings.Contains(text, "<no value>") {
				t.Errorf("unrendered template text")
			}
		})
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	_, text, html, err := renderer.Render(mail.NewPasswordReset("a@example.jp", "ja", "https://x.example.jp/r?t=a&b=<c>", 30))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<c>") {
		t.Errorf("HTML body not escaped:\n%s", html)
	}
	if !strings.Contains(text, "https://x.example.jp/r?t=a&b=<c>") {
		t.Errorf("text body lacks the URL:\n%s", text)
	}
}

func TestRenderRejects(t *testing.T) {
	tests := []struct {
		name string
		msg  mail.Message
	}{
		{"unknown template", mail.Message{Template: "welcome", Lang: "ja"}},
		{"unknown language", mail.NewLoginCode("a@example.jp", "fr", "123456", 10)},
		{"short code", mail.NewLoginCode("a@example.jp", "ja", "12345", 10)},
		{"full-width code", mail.NewLoginCode("a@example.jp", "ja", "１２３４５６", 10)},
		{"no minutes for reset", mail.Message{Template: mail.PasswordReset, Data: map[string]string{"url": "https://x.example.jp/"}}},
		{"javascript url", mail.NewPasswordReset("a@example.jp", "ja", "javascript:alert(1)", 30)},
		{"relative url", mail.NewPasswordReset("a@example.jp", "ja", "/password/reset", 30)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, _, err := renderer.Render(tc.msg); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if _, _, _, err := new(mail.Renderer).Render(mail.NewLoginCode("a@example.jp", "ja", "123456", 10)); err == nil {
		t.Error("rendered without a system name")
	}
}
