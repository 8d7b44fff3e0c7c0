package auth

import (
	"bytes"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters every supported authenticator accepts (Google and Microsoft
// Authenticator, the "Authenticator" browser extension): RFC 6238 with SHA-1,
// 6 digits, 30-second steps.
const (
	totpDigits = 6
	totpPeriod = 30
	// totpSkew is how many steps either side of now a code may belong to, for
	// clocks that drift and users that type slowly.
	totpSkew = 1
)

// TOTPSetup is what the enrolment screen shows: the otpauth URI, the same as a QR
// code PNG data URL, and the secret for typing in by hand.
type TOTPSetup struct {
	Secret     string
	OTPAuthURI string
	QRCode     string
	Issuer     string
	Account    string
}

// totpSecretSize is 160 bits, the size RFC 4226 recommends for HMAC-SHA-1.
const totpSecretSize = 20

// totpKey builds the key (and so the otpauth URI) for account under issuer around a
// raw secret.
func totpKey(issuer, account string, secret []byte) (*otp.Key, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: totpPeriod, Secret: secret,
		SecretSize: totpSecretSize, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("generate totp key: %w", err)
	}
	return key, nil
}

// totpSetup renders the enrolment data for a raw secret; the same secret always
// gives the same screen, so a reload shows the QR code the user may have scanned.
func totpSetup(issuer, account string, secret []byte) (*TOTPSetup, error) {
	key, err := totpKey(issuer, account, secret)
	if err != nil {
		return nil, err
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return nil, fmt.Errorf("totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp qr png: %w", err)
	}
	return &TOTPSetup{
		Secret: key.Secret(), OTPAuthURI: key.URL(), Issuer: issuer, Account: account,
		QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
	}, nil
}

// b32 is the secret encoding of otpauth URIs: base32 without padding.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPStep is the RFC 6238 time step that t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// MatchTOTP checks a normalised 6-digit code against secret at now, allowing one
// step of skew. It returns the matched step, which the caller stores as the
// device's last accepted step in the same transaction that completes the login.
// A code from a step at or before lastStep is refused with ErrCodeReused
// (RFC 6238 §5.2: each code is accepted once).
func MatchTOTP(secret []byte, code string, lastStep int64, now time.Time) (int64, error) {
	cur := TOTPStep(now)
	reused := false
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := totp.GenerateCodeCustom(b32.EncodeToString(secret), time.Unix(step*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			return 0, fmt.Errorf("totp code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if step <= lastStep {
			reused = true
			continue
		}
		return step, nil
	}
	if reused {
		return 0, ErrCodeReused
	}
	return 0, ErrCodeInvalid
}
