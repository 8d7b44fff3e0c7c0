package codefmt

import (
	"errors"
	"testing"
)

func TestDigits(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		n    int
		want string
		err  error
	}{
		{"ascii", "123456", 6, "123456", nil},
		{"eight digits", "12345678", 8, "12345678", nil},
		{"leading zeros kept", "000123", 6, "000123", nil},
		{"full-width", "１２３４５６", 6, "123456", nil},
		{"mixed widths", "12３4５6", 6, "123456", nil},
		{"ascii space", "123 456", 6, "123456", nil},
		{"tab", "123\t456", 6, "123456", nil},
		{"ideographic space", "123\u3000456", 6, "123456", nil},
		{"surrounding whitespace", " \t\n123456\r\n", 6, "123456", nil},
		{"surrounding ideographic space", "\u3000１２３４５６\u3000", 6, "123456", nil},
		{"hyphen-minus", "123-456", 6, "123456", nil},
		{"hyphen", "123\u2010456", 6, "123456", nil},
		{"non-breaking hyphen", "123\u2011456", 6, "123456", nil},
		{"figure dash", "123\u2012456", 6, "123456", nil},
		{"en dash", "123\u2013456", 6, "123456", nil},
		{"em dash", "123\u2014456", 6, "123456", nil},
		{"minus sign", "123\u2212456", 6, "123456", nil},
		{"full-width hyphen-minus", "１２３－４５６", 6, "123456", nil},
		{"prolonged sound mark", "１２３ー４５６", 6, "123456", nil},
		{"half-width prolonged sound mark", "123ｰ456", 6, "123456", nil},
		{"separators everywhere", "-1 2-3\u30004 5-6-", 6, "123456", nil},

		{"too short", "12345", 6, "", ErrLength},
		{"too long", "1234567", 6, "", ErrLength},
		{"empty", "", 6, "", ErrLength},
		{"only separators", " - ー ", 6, "", ErrLength},
		{"zero length asked", "", 0, "", ErrLength},
		{"negative length asked", "123", -1, "", ErrLength},
		{"huge length asked", "123456", 1 << 40, "", ErrLength},

		{"letter", "12345a", 6, "", ErrInvalid},
		{"letter wins over length", "12a", 6, "", ErrInvalid},
		{"full-width letter", "12345Ａ", 6, "", ErrInvalid},
		{"arabic-indic digits", "١٢٣٤٥٦", 6, "", ErrInvalid},
		{"devanagari digit", "12345६", 6, "", ErrInvalid},
		{"superscript digit", "12345²", 6, "", ErrInvalid},
		{"kanji numeral", "一二三四五六", 6, "", ErrInvalid},
		{"inner newline", "123\n456", 6, "", ErrInvalid},
		{"underscore", "123_456", 6, "", ErrInvalid},
		{"dot", "123.456", 6, "", ErrInvalid},
		{"invalid utf-8", "123\xff456", 6, "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Digits(tt.raw, tt.n)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("Digits(%q, %d) = %q, %v; want %q, %v", tt.raw, tt.n, got, err, tt.want, tt.err)
			}
		})
	}
}

func FuzzDigits(f *testing.F) {
	for _, s := range []string{"123456", "１２３ー４５６", " 123-456 ", "12a", "١٢٣", "\xff", ""} {
		f.Add(s, 6)
	}
	f.Add("12345678", 8)
	f.Fuzz(func(t *testing.T, raw string, n int) {
		got, err := Digits(raw, n)
		if err != nil {
			if got != "" {
				t.Fatalf("Digits(%q, %d) = %q with error %v", raw, n, got, err)
			}
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrLength) {
				t.Fatalf("Digits(%q, %d): unexpected error %v", raw, n, err)
			}
			return
		}
		if len(got) != n {
			t.Fatalf("Digits(%q, %d) = %q: %d bytes", raw, n, got, len(got))
		}
		for i := 0; i < len(got); i++ {
			if got[i] < '0' || got[i] > '9' {
				t.Fatalf("Digits(%q, %d) = %q: byte %d is not an ASCII digit", raw, n, got, i)
			}
		}
		// Accepted output is itself accepted unchanged, so the server may
		// normalise again what the browser already normalised.
		if again, err := Digits(got, n); again != got || err != nil {
			t.Fatalf("Digits(%q, %d) = %q, %v; want it unchanged", got, n, again, err)
		}
	})
}

func TestDisplay(t *testing.T) {
	tests := []struct{ in, want string }{
		{"123456", "123 456"},
		{"12345678", "123 456 78"},
		{"123", "123"},
		{"12", "12"},
		{"", ""},
		{"１２３４", "１２３ ４"}, // grouped by rune, never inside one
	}
	for _, tt := range tests {
		if got := Display(tt.in); got != tt.want {
			t.Errorf("Display(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGroupSecret(t *testing.T) {
	tests := []struct{ in, want string }{
		{"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"},
		{"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPA", "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP A"},
		{"jbswy3dp", "JBSW Y3DP"},
		{"JBSW Y3DP\nEHPK", "JBSW Y3DP EHPK"},
		{"JBSWY3DPEE======", "JBSW Y3DP EE"},
		{"ABC", "ABC"},
		{"", ""},
	}
	for _, tt := range tests {
		got := GroupSecret(tt.in)
		if got != tt.want {
			t.Errorf("GroupSecret(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := GroupSecret(got); again != got {
			t.Errorf("GroupSecret(%q) = %q, want it unchanged", got, again)
		}
	}
}

func TestMaskEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"taro@example.jp", "t***@example.jp"},
		{"a@x.jp", "a***@x.jp"},
		{"yamada.hanako+bill@city.example.lg.jp", "y***@city.example.lg.jp"},
		{"太郎@example.jp", "太***@example.jp"},
		{`"a@b"@example.jp`, `"***@example.jp`},
		{"no-at-sign", "***"},
		{"@example.jp", "***"},
		{"taro@", "***"},
		{"", "***"},
	}
	for _, tt := range tests {
		if got := MaskEmail(tt.in); got != tt.want {
			t.Errorf("MaskEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
