package cognitoidentity_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"imageapp/app/aws/cognitoidentity"
)

// pool is a fake user pool's key and JWKS endpoint.
type pool struct {
	key     *rsa.PrivateKey
	issuer  string
	fetches atomic.Int32
}

func newPool(t *testing.T) *pool {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &pool{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /local_pool/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kid": "k1", "kty": "RSA", "alg": "RS256", "use": "sig",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.issuer = srv.URL + "/local_pool"
	return p
}

func (p *pool) claims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"sub": "2b1c0a9e-0000-4000-8000-000000000001", "cognito:username": "alice", "preferred_username": "Alice",
		"email": "alice@example.com", "token_use": "id", "aud": "client-1", "iss": p.issuer,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

func (p *pool) sign(t *testing.T, claims jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(p.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifierAcceptsAValidIDToken(t *testing.T) {
	p := newPool(t)
	v := &cognitoidentity.Verifier{Issuer: p.issuer, ClientID: "client-1"}
	got, err := v.Verify(context.Background(), p.sign(t, p.claims(), "k1"))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got.ID != "2b1c0a9e-0000-4000-8000-000000000001" || got.Username != "Alice" || got.Email != "alice@example.com" {
		t.Errorf("principal = %+v; want sub, the display name and the email", got)
	}
	// Keys are cached: a second token does not fetch the JWKS again.
	if _, err := v.Verify(context.Background(), p.sign(t, p.claims(), "k1")); err != nil || p.fetches.Load() != 1 {
		t.Errorf("second verify: %v, %d JWKS fetches; want 1", err, p.fetches.Load())
	}
}

func TestVerifierRejects(t *testing.T) {
	p := newPool(t)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	with := func(k string, v any) jwt.MapClaims {
		c := p.claims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	for name, token := range map[string]func() string{
		"another issuer": func() string {
			return p.sign(t, with("iss", "https://cognito-idp.us-east-1.amazonaws.com/other"), "k1")
		},
		"another audience":  func() string { return p.sign(t, with("aud", "client-2"), "k1") },
		"an expired token":  func() string { return p.sign(t, with("exp", time.Now().Add(-time.Hour).Unix()), "k1") },
		"no expiry":         func() string { return p.sign(t, with("exp", nil), "k1") },
		"an access token":   func() string { return p.sign(t, with("token_use", "access"), "k1") },
		"no sub":            func() string { return p.sign(t, with("sub", nil), "k1") },
		"an unknown key ID": func() string { return p.sign(t, p.claims(), "k9") },
		"a signature by another key": func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, p.claims())
			tok.Header["kid"] = "k1"
			s, _ := tok.SignedString(other)
			return s
		},
		"HS256 keyed with the public key": func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, p.claims())
			tok.Header["kid"] = "k1"
			s, _ := tok.SignedString(p.key.PublicKey.N.Bytes())
			return s
		},
		"alg none": func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, p.claims())
			s, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		},
		"a changed claim": func() string {
			parts := strings.Split(p.sign(t, p.claims(), "k1"), ".")
			c := p.claims()
			c["sub"] = "someone-else"
			raw, _ := json.Marshal(c)
			parts[1] = base64.RawURLEncoding.EncodeToString(raw)
			return strings.Join(parts, ".")
		},
	} {
		t.Run(name, func(t *testing.T) {
			v := &cognitoidentity.Verifier{Issuer: p.issuer, ClientID: "client-1"}
			if got, err := v.Verify(context.Background(), token()); err == nil {
				t.Errorf("accepted, principal %+v", got)
			}
		})
	}
}

func TestVerifierDoesNotRefetchForEveryUnknownKey(t *testing.T) {
	p := newPool(t)
	v := &cognitoidentity.Verifier{Issuer: p.issuer, ClientID: "client-1"}
	for range 5 {
		v.Verify(context.Background(), p.sign(t, p.claims(), "forged"))
	}
	if n := p.fetches.Load(); n != 1 {
		t.Errorf("%d JWKS fetches for 5 tokens with unknown keys; want 1 per minute", n)
	}
}
