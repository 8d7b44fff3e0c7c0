package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// NewToken returns a new opaque 256-bit token for a cookie and the SHA-256 hash
// that is the only thing stored. A database leak therefore yields no usable session.
func NewToken() (token string, hash []byte) {
	token = base64.RawURLEncoding.EncodeToString(randomBytes(32))
	return token, HashToken(token)
}

// HashToken is the stored form of a token taken from a cookie.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Sealer encrypts secrets at rest (TOTP seeds) with AES-256-GCM. The record's
// purpose and id are bound in as associated data, so a sealed value copied to
// another row does not open.
type Sealer struct {
	aead   cipher.AEAD
	macKey []byte // derived from the key, so one secret serves both
}

// NewSealer returns a Sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	derive := hmac.New(sha256.New, key)
	derive.Write([]byte("kanmon mac key"))
	return &Sealer{aead: aead, macKey: derive.Sum(nil)}, nil
}

// Seal encrypts plaintext; the output is nonce || ciphertext.
func (s *Sealer) Seal(plaintext []byte, context string) []byte {
	nonce := randomBytes(s.aead.NonceSize())
	return s.aead.Seal(nonce, nonce, plaintext, []byte(context))
}

var errUnseal = errors.New("sealed secret does not open with this key")

// Open decrypts what Seal produced with the same context.
func (s *Sealer) Open(sealed []byte, context string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errUnseal
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, errUnseal
	}
	return out, nil
}

// RandomKey returns a new 32-byte key for a Sealer.
func RandomKey() []byte { return randomBytes(32) }

// MAC returns HMAC-SHA-256 of data under a key derived from the sealing key,
// bound to context.
func (s *Sealer) MAC(data []byte, context string) []byte {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil)
}
