// Package codefmt normalises what people type into one-time-code fields and
// formats codes, TOTP secrets and e-mail addresses for display.
//
// It is shared by the server (api/auth) and the browser (the WASM module in
// wasm/), so both sides accept and show exactly the same things. It is a leaf
// package built from the standard library only and deliberately avoids fmt,
// because every import is compiled into the WASM download.
package codefmt

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is returned by Digits when the input contains a rune that is
// neither a digit nor a separator it ignores.
var ErrInvalid = errors.New("codefmt: only digits, spaces and hyphens are allowed")

// ErrLength is returned by Digits when the input has the wrong number of
// digits.
var ErrLength = errors.New("codefmt: wrong number of digits")

// Digits returns raw as exactly n ASCII digits.
//
// It accepts ASCII digits and full-width digits (U+FF10–U+FF19, which a
// Japanese IME produces in full-width mode). Between digits it ignores spaces
// (ASCII space, tab, U+3000 ideographic space) and the hyphen-like runes an
// IME or a copy from a mail may produce: '-', U+2010–U+2014, U+2212 minus,
// U+FF0D full-width hyphen-minus, U+30FC 'ー' and U+FF70 'ｰ'. Leading and
// trailing white space of any kind (for example the newline of a paste) is
// ignored. Other digits, such as Arabic-Indic ones, are rejected: the server
// must never compare a code that the user cannot see as the one they typed.
//
// Digits returns ErrInvalid if raw contains any other rune (this takes
// precedence), and ErrLength if it does not hold exactly n digits; n < 1
// always gives ErrLength.
func Digits(raw string, n int) (string, error) {
	raw = strings.TrimSpace(raw)
	// Do not trust n for the allocation: it may come from a browser.
	out := make([]byte, 0, min(max(n, 0), len(raw)))
	count := 0
	for _, r := range raw {
		var d byte
		switch {
		case '0' <= r && r <= '9':
			d = byte(r)
		case '０' <= r && r <= '９':
			d = byte('0' + (r - '０'))
		case isSeparator(r):
			continue
		default:
			return "", ErrInvalid // includes utf8.RuneError from invalid UTF-8
		}
		count++
		if count <= n {
			out = append(out, d)
		}
	}
	if n < 1 || count != n {
		return "", ErrLength
	}
	return string(out), nil
}

// isSeparator reports whether Digits skips r: spaces and hyphen look-alikes.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '\u3000', // ideographic space
		'-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', // hyphen … em dash
		'\u2212', // minus sign
		'\uFF0D', // full-width hyphen-minus
		'\u30FC', // katakana prolonged sound mark 'ー'
		'\uFF70': // half-width prolonged sound mark 'ｰ'
		return true
	}
	return false
}

// Display formats a code for reading: groups of three runes from the left,
// separated by single spaces, so "123456" becomes "123 456" and "12345678"
// becomes "123 456 78". It expects the output of Digits; other input is
// grouped the same way without validation.
func Display(digits string) string {
	return group(digits, 3)
}

// GroupSecret formats a base32 TOTP secret for typing into an authenticator
// app by hand: upper case, without padding, in groups of four separated by
// single spaces ("ABCD EFGH IJKL …"). Spaces already present and trailing
// '=' padding are dropped first, so the result is stable when applied twice.
func GroupSecret(secret string) string {
	s := strings.Map(upperASCII, strings.Join(strings.Fields(secret), ""))
	return group(strings.TrimRight(s, "="), 4)
}

// upperASCII upper-cases a–z only. Base32 is ASCII, and strings.ToUpper
// would link the Unicode case tables into the WASM (about 5 KB brotli).
func upperASCII(r rune) rune {
	if 'a' <= r && r <= 'z' {
		return r - 'a' + 'A'
	}
	return r
}

// group inserts a space after every size runes of s.
func group(s string, size int) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/size)
	n := 0
	for _, r := range s {
		if n > 0 && n%size == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// MaskEmail hides the local part of an address except its first character,
// so a page can say where a code was sent without disclosing the address:
// "taro@example.jp" becomes "t***@example.jp" and "a@x.jp" becomes
// "a***@x.jp" (always three asterisks, so the length is not revealed). An
// address without a local part or a domain gives "***".
func MaskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@') // a quoted local part may hold '@'
	if at <= 0 || at == len(addr)-1 {
		return "***"
	}
	_, size := utf8.DecodeRuneInString(addr)
	return addr[:size] + "***" + addr[at:]
}
