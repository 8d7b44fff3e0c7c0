// Package webauthntest is a software authenticator for tests of Kanmon's
// WebAuthn relying party: it reads the options JSON that Begin… returns and
// answers with the PublicKeyCredential JSON a browser would send to Finish…,
// built byte by byte from the specification (an ECDSA P-256 key, its COSE
// encoding, authenticatorData, an attestation object of format "none" in CBOR,
// clientDataJSON and an ES256 signature) so that go-webauthn checks real data.
//
// An Authenticator holds one credential. Its exported fields are what a test
// changes to make an answer wrong: the origin the "browser" reports, the RP ID
// whose hash goes into authenticatorData, the sign counter.
package webauthntest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/fxamacker/cbor/v2"
)

// Flags of authenticatorData (WebAuthn §6.1).
const (
	FlagUP byte = 0x01 // user present
	FlagUV byte = 0x04 // user verified
	FlagBE byte = 0x08 // backup eligible
	FlagBS byte = 0x10 // backed up
	FlagAT byte = 0x40 // attested credential data included
)

// ErrExcluded is what Create returns when the options exclude this
// authenticator's credential (a browser's InvalidStateError).
var ErrExcluded = errors.New("webauthntest: credential excluded by excludeCredentials")

// ErrNotAllowed is what Get returns when the options allow only other
// credentials (a browser's NotAllowedError).
var ErrNotAllowed = errors.New("webauthntest: credential not in allowCredentials")

// Authenticator is a software security key with one ES256 credential.
type Authenticator struct {
	// RPID is hashed into authenticatorData; a real authenticator takes it from
	// the options, a test sets another to play a phishing site.
	RPID string
	// Origin is what the "browser" writes into clientDataJSON.
	Origin string
	// SignCount is the counter after the last ceremony; Get increments it
	// first. A test sets it back to play a cloned key.
	SignCount uint32
	// Flags are set in every authenticatorData (AT is added on registration);
	// New sets UP|UV.
	Flags byte

	Key          *ecdsa.PrivateKey
	CredentialID []byte
	// UserHandle is the user.id of the registration, returned at login.
	UserHandle []byte
}

// New returns an authenticator with a fresh key and credential id that
// answers as rpID from origin.
func New(rpID, origin string) *Authenticator {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &Authenticator{RPID: rpID, Origin: origin, Flags: FlagUP | FlagUV, Key: key, CredentialID: id}
}

var b64 = base64.RawURLEncoding

// creationOptions is the part of go-webauthn's CredentialCreation read here.
type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		ExcludeCredentials []descriptor `json:"excludeCredentials"`
	} `json:"publicKey"`
}

// assertionOptions is the part of go-webauthn's CredentialAssertion read here.
type assertionOptions struct {
	PublicKey struct {
		Challenge        string       `json:"challenge"`
		RPID             string       `json:"rpId"`
		AllowCredentials []descriptor `json:"allowCredentials"`
	} `json:"publicKey"`
}

type descriptor struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// ExcludedIDs returns the credential ids a registration's options exclude,
// decoded.
func ExcludedIDs(options []byte) ([][]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("webauthntest: creation options: %w", err)
	}
	return decodeIDs(o.PublicKey.ExcludeCredentials)
}

// AllowedIDs returns the credential ids a login's options allow, decoded.
func AllowedIDs(options []byte) ([][]byte, error) {
	var o assertionOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("webauthntest: assertion options: %w", err)
	}
	return decodeIDs(o.PublicKey.AllowCredentials)
}

func decodeIDs(ds []descriptor) ([][]byte, error) {
	out := make([][]byte, 0, len(ds))
	for _, d := range ds {
		id, err := decodeB64(d.ID)
		if err != nil {
			return nil, fmt.Errorf("webauthntest: credential id %q: %w", d.ID, err)
		}
		out = append(out, id)
	}
	return out, nil
}

// decodeB64 accepts base64url with or without padding, as go-webauthn writes.
func decodeB64(s string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err != nil {
		return base64.URLEncoding.DecodeString(s)
	}
	return b, nil
}

func (a *Authenticator) listed(ids [][]byte) bool {
	return slices.ContainsFunc(ids, func(id []byte) bool { return string(id) == string(a.CredentialID) })
}

// Create answers the options of navigator.credentials.create (the JSON of
// Begin…Registration) with the JSON of the new PublicKeyCredential.
func (a *Authenticator) Create(options []byte) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("webauthntest: creation options: %w", err)
	}
	excluded, err := decodeIDs(o.PublicKey.ExcludeCredentials)
	if err != nil {
		return nil, err
	}
	if a.listed(excluded) {
		return nil, ErrExcluded
	}
	if a.UserHandle, err = decodeB64(o.PublicKey.User.ID); err != nil {
		return nil, fmt.Errorf("webauthntest: user.id: %w", err)
	}
	clientData, err := a.clientData("webauthn.create", o.PublicKey.Challenge)
	if err != nil {
		return nil, err
	}
	cose, err := a.COSEKey()
	if err != nil {
		return nil, err
	}
	authData := a.authData(a.Flags | FlagAT)
	authData = append(authData, make([]byte, 16)...) // AAGUID: zero for attestation "none"
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(a.CredentialID)))
	authData = append(authData, a.CredentialID...)
	authData = append(authData, cose...)
	attObj, err := ctap2.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		return nil, fmt.Errorf("webauthntest: attestation object: %w", err)
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.CredentialID), "rawId": b64.EncodeToString(a.CredentialID), "type": "public-key",
		"authenticatorAttachment": "cross-platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"attestationObject": b64.EncodeToString(attObj),
			"transports":        []string{"usb"},
		},
	})
}

// Get answers the options of navigator.credentials.get (the JSON of
// BeginWebAuthnLogin) with the JSON of the signed assertion, counting one
// more signature.
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	var o assertionOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("webauthntest: assertion options: %w", err)
	}
	allowed, err := decodeIDs(o.PublicKey.AllowCredentials)
	if err != nil {
		return nil, err
	}
	if len(allowed) > 0 && !a.listed(allowed) {
		return nil, ErrNotAllowed
	}
	clientData, err := a.clientData("webauthn.get", o.PublicKey.Challenge)
	if err != nil {
		return nil, err
	}
	a.SignCount++
	authData := a.authData(a.Flags)
	sig, err := a.sign(authData, clientData)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.CredentialID), "rawId": b64.EncodeToString(a.CredentialID), "type": "public-key",
		"authenticatorAttachment": "cross-platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"authenticatorData": b64.EncodeToString(authData),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(a.UserHandle),
		},
	})
}

// clientData is the clientDataJSON a browser would build.
func (a *Authenticator) clientData(typ, challenge string) ([]byte, error) {
	if challenge == "" {
		return nil, errors.New("webauthntest: the options carry no challenge")
	}
	return json.Marshal(struct {
		Type        string `json:"type"`
		Challenge   string `json:"challenge"`
		Origin      string `json:"origin"`
		CrossOrigin bool   `json:"crossOrigin"`
	}{typ, challenge, a.Origin, false})
}

// authData is rpIdHash | flags | signCount, without attested credential data.
func (a *Authenticator) authData(flags byte) []byte {
	h := sha256.Sum256([]byte(a.RPID))
	out := append(h[:], flags)
	return binary.BigEndian.AppendUint32(out, a.SignCount)
}

// sign is the ES256 signature (ASN.1 DER) over authData || SHA-256(clientData).
func (a *Authenticator) sign(authData, clientData []byte) ([]byte, error) {
	cdh := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(slices.Clone(authData), cdh[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.Key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("webauthntest: sign: %w", err)
	}
	return sig, nil
}

// COSEKey is the credential's public key as a COSE_Key (RFC 9053): EC2, ES256,
// P-256, x and y as 32 bytes each.
func (a *Authenticator) COSEKey() ([]byte, error) {
	pub, err := a.Key.PublicKey.Bytes() // 0x04 | x | y
	if err != nil {
		return nil, fmt.Errorf("webauthntest: public key: %w", err)
	}
	return ctap2.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pub[1:33], -3: pub[33:65]})
}

// ctap2 encodes CBOR in CTAP2's canonical form, as authenticators do.
var ctap2 = func() cbor.EncMode {
	em, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return em
}()
