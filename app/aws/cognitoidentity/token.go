package cognitoidentity

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"imageapp/app/imageapp"
)

// Verifier checks Cognito ID tokens: an RS256 signature by a key from the
// pool's JWKS, the pool's issuer, this app client as audience, token_use
// "id", and an expiry in the future.
type Verifier struct {
	Issuer   string // https://cognito-idp.<region>.amazonaws.com/<pool>, or the emulator's
	ClientID string
	HTTP     HTTPDoer // nil means a plain client with a timeout
	Now      func() time.Time

	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	fetched time.Time
}

// HTTPDoer sends HTTP requests (*http.Client and the SDK's clients do).
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// AWSIssuer is the issuer of a pool in AWS.
func AWSIssuer(region, poolID string) string {
	return fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", region, poolID)
}

// JWKSURL is where the pool publishes its signing keys.
func (v *Verifier) JWKSURL() string {
	return strings.TrimRight(v.Issuer, "/") + "/.well-known/jwks.json"
}

// idClaims are the claims of a Cognito ID token the app reads.
type idClaims struct {
	jwt.RegisteredClaims
	TokenUse          string `json:"token_use"`
	Username          string `json:"cognito:username"`
	PreferredUsername string `json:"preferred_username"`
	Email             string `json:"email"`
}

// Verify returns the principal of a valid ID token.
func (v *Verifier) Verify(ctx context.Context, token string) (imageapp.Principal, error) {
	var claims idClaims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(v.Issuer),
		jwt.WithAudience(v.ClientID),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(v.now),
	)
	_, err := parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return v.key(ctx, kid)
	})
	if err != nil {
		return imageapp.Principal{}, fmt.Errorf("cognito: ID token rejected: %w", err)
	}
	if claims.TokenUse != "id" {
		return imageapp.Principal{}, fmt.Errorf("cognito: ID token rejected: token_use is %q, not \"id\"", claims.TokenUse)
	}
	if claims.Subject == "" || claims.Username == "" {
		return imageapp.Principal{}, errors.New("cognito: ID token rejected: no sub or cognito:username")
	}
	p := imageapp.Principal{ID: claims.Subject, Username: claims.Username, Email: claims.Email}
	// The pool's username is the lowercased name; the name as the person
	// typed it is preferred_username, when the pool puts it in the token.
	if strings.EqualFold(claims.PreferredUsername, claims.Username) {
		p.Username = claims.PreferredUsername
	}
	return p, nil
}

// refetchAfter limits JWKS downloads caused by unknown key IDs, so forged
// tokens cannot make the server hammer the JWKS endpoint.
const refetchAfter = time.Minute

func (v *Verifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	if !v.fetched.IsZero() && v.now().Sub(v.fetched) < refetchAfter {
		return nil, fmt.Errorf("no key %q in the pool's JWKS", kid)
	}
	keys, err := v.fetch(ctx)
	if err != nil {
		return nil, err
	}
	v.keys, v.fetched = keys, v.now()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("no key %q in the pool's JWKS", kid)
}

type jwks struct {
	Keys []struct {
		Kid string `json:"kid"`
		Kty string `json:"kty"`
		Alg string `json:"alg"`
		Use string `json:"use"`
		N   string `json:"n"`
		E   string `json:"e"`
	} `json:"keys"`
}

func (v *Verifier) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.JWKSURL(), nil)
	if err != nil {
		return nil, err
	}
	var client HTTPDoer = &http.Client{Timeout: 10 * time.Second}
	if v.HTTP != nil {
		client = v.HTTP
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS %s: status %d", v.JWKSURL(), resp.StatusCode)
	}
	var set jwks
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("decode JWKS: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if err1 != nil || err2 != nil || len(e) > 4 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		return nil, errors.New("the pool's JWKS has no RS256 key")
	}
	return keys, nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}
