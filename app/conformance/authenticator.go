package conformance

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/go-webauthn/webauthn/protocol"
)

// authenticator is a software passkey for the tests: an ES256 key that
// answers a registration with attestation "none" and signs assertions, as
// a browser's platform authenticator would, with a signature counter.
type authenticator struct {
	key        *ecdsa.PrivateKey
	id         []byte
	userHandle []byte
	rpID       string
	count      uint32
}

func newAuthenticator(t *testing.T) *authenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &authenticator{key: key, id: []byte(rand.Text())}
}

var b64 = base64.RawURLEncoding

const (
	flagUserPresent  = 0x01
	flagUserVerified = 0x04
	flagAttested     = 0x40
)

// authData is the authenticator data: the RP ID's hash, flags, the counter
// and, when attested, the credential's ID and public key.
func (a *authenticator) authData(t *testing.T, attested bool) []byte {
	t.Helper()
	rp := sha256.Sum256([]byte(a.rpID))
	out := append([]byte{}, rp[:]...)
	flags := byte(flagUserPresent | flagUserVerified)
	if attested {
		flags |= flagAttested
	}
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, a.count)
	if !attested {
		return out
	}
	out = append(out, make([]byte, 16)...) // AAGUID: none
	out = binary.BigEndian.AppendUint16(out, uint16(len(a.id)))
	out = append(out, a.id...)
	pub, err := a.key.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	raw := pub.Bytes() // 0x04 || x || y
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:65]})
	if err != nil {
		t.Fatal(err)
	}
	return append(out, cose...)
}

func clientData(t *testing.T, typ string, challenge []byte, origin string) []byte {
	t.Helper()
	out, err := json.Marshal(map[string]any{"type": typ, "challenge": b64.EncodeToString(challenge), "origin": origin, "crossOrigin": false})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// register answers creation options from origin, as navigator.credentials.create
// would, and returns the JSON a page posts back.
func (a *authenticator) register(t *testing.T, opts *protocol.CredentialCreation, origin string) []byte {
	t.Helper()
	// Read the options as a browser does: from their JSON.
	var seen struct {
		PublicKey struct {
			RP   struct{ ID string }
			User struct{ ID string }
		}
	}
	if err := json.Unmarshal(mustJSON(t, opts), &seen); err != nil {
		t.Fatal(err)
	}
	handle, err := b64.DecodeString(seen.PublicKey.User.ID)
	if err != nil {
		t.Fatalf("user handle %q: %v", seen.PublicKey.User.ID, err)
	}
	a.rpID, a.userHandle = seen.PublicKey.RP.ID, handle
	attObj, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(t, true)})
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, map[string]any{
		"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData(t, "webauthn.create", opts.Response.Challenge, origin)),
			"attestationObject": b64.EncodeToString(attObj),
			"transports":        []string{"internal"},
		},
	})
}

// assert signs in with the passkey, as navigator.credentials.get would,
// counting one more use first.
func (a *authenticator) assert(t *testing.T, opts *protocol.CredentialAssertion, origin string) []byte {
	t.Helper()
	a.count++
	return a.assertAt(t, opts, origin, a.count)
}

// assertAt signs with the counter at count, as a clone of the key would.
func (a *authenticator) assertAt(t *testing.T, opts *protocol.CredentialAssertion, origin string, count uint32) []byte {
	t.Helper()
	saved := a.count
	a.count = count
	data := a.authData(t, false)
	a.count = saved
	cd := clientData(t, "webauthn.get", opts.Response.Challenge, origin)
	hash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, data...), hash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, map[string]any{
		"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(data),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(a.userHandle),
		},
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
