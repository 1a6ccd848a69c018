package server

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestPasskeyRoutes: the passkey JSON routes over the real app. A person's
// own routes need a session; the login ceremony starts for anyone and asks
// for a discoverable passkey of this site (no username, no list of
// credentials); adding one asks the browser for a discoverable credential
// for this site's host name, checked by the user.
func TestPasskeyRoutes(t *testing.T) {
	app := startAppOnLocalhost(t, t.TempDir())
	anon := app.client()
	for _, r := range []response{
		anon.get("/api/me/passkeys"),
		anon.postJSON("/api/me/passkeys/begin", nil),
		anon.postJSON("/api/me/passkeys/finish", map[string]any{"ceremony": "x", "credential": map[string]any{}}),
		anon.delete("/api/me/passkeys/AQ"),
	} {
		if r.status != http.StatusUnauthorized {
			t.Errorf("without a session: %d %s; want 401", r.status, r.body)
		}
	}

	var login struct {
		Ceremony string
		Options  struct {
			PublicKey struct {
				Challenge        string
				RPID             string `json:"rpId"`
				AllowCredentials []any  `json:"allowCredentials"`
			} `json:"publicKey"`
		}
	}
	r := anon.postJSON("/api/passkeys/login/begin", nil)
	if err := json.Unmarshal([]byte(r.body), &login); r.status != http.StatusOK || err != nil {
		t.Fatalf("begin a passkey login: %d %s (%v)", r.status, r.body, err)
	}
	if p := login.Options.PublicKey; login.Ceremony == "" || p.Challenge == "" || p.RPID != "localhost" || len(p.AllowCredentials) != 0 {
		t.Errorf("the login ceremony %+v; want an ID, a challenge, rpId localhost and no allowCredentials (username-less)", login)
	}

	alice := app.signUp("alice")
	var reg struct {
		Ceremony string
		Options  struct {
			PublicKey struct {
				RP                     struct{ ID string } `json:"rp"`
				AuthenticatorSelection struct {
					ResidentKey string `json:"residentKey"`
				} `json:"authenticatorSelection"`
			} `json:"publicKey"`
		}
	}
	r = alice.postJSON("/api/me/passkeys/begin", nil)
	if err := json.Unmarshal([]byte(r.body), &reg); r.status != http.StatusOK || err != nil {
		t.Fatalf("begin adding a passkey: %d %s (%v)", r.status, r.body, err)
	}
	if p := reg.Options.PublicKey; reg.Ceremony == "" || p.RP.ID != "localhost" || p.AuthenticatorSelection.ResidentKey != "required" {
		t.Errorf("the registration ceremony %+v; want an ID, rp.id localhost and a required resident (discoverable) key", reg)
	}
	if r := alice.get("/api/me/passkeys"); r.status != http.StatusOK || r.body != "{\"passkeys\":[]}\n" {
		t.Errorf("alice's passkeys before she adds one: %d %q", r.status, r.body)
	}
	if r := alice.delete("/api/me/passkeys/AQ"); r.status != http.StatusNotFound {
		t.Errorf("removing a passkey alice does not have: %d %s; want 404", r.status, r.body)
	}
}
