package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// startAppOnLocalhost is startApp at http://localhost:<port>, with that as
// the site's address: browsers make passkeys for a host name (localhost is
// one), never for an IP address like httptest's.
func startAppOnLocalhost(t *testing.T, dir string, tweak ...func(*Config)) *testApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	cfg := testConfig(t, dir, append(tweak, func(c *Config) { c.BaseURL = base })...)
	logs := &lockedWriter{w: &bytes.Buffer{}}
	app, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		ln.Close()
		t.Fatalf("open the app: %v", err)
	}
	a := &testApp{t: t, dir: dir, cfg: cfg, app: app, backend: app.backend, logs: logs, db: openSQLite(t, dir)}
	a.server = httptest.NewUnstartedServer(app.Handler())
	a.server.Listener.Close()
	a.server.Listener = ln
	a.server.Start()
	a.server.URL = base
	t.Cleanup(a.stop)
	return a
}

// virtualAuthenticator gives the tab a platform authenticator that keeps
// discoverable credentials and verifies its user at once, as a phone's
// screen lock would.
func (tb *tab) virtualAuthenticator() webauthn.AuthenticatorID {
	tb.b.t.Helper()
	if _, err := chromedp.Call(tb.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		tb.fatal("enable WebAuthn", err)
	}
	res, err := chromedp.Call(tb.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		tb.fatal("add a virtual authenticator", err)
	}
	return res.AuthenticatorID
}

const passkeysCard = `#passkeys`

// TestBrowserPasskeys: alice adds a passkey in settings (a virtual
// authenticator in Chromium), logs out, signs in with it from the login
// page without typing her username, and removes it; after that the same
// authenticator's passkey is refused. On the way, assertions made with the
// browser's own key are refused when they name another origin or repeat a
// counter (a cloned authenticator), and accepted otherwise.
func TestBrowserPasskeys(t *testing.T) {
	app := startAppOnLocalhost(t, t.TempDir())
	b := startBrowser(t, app, "passkeys")
	tb := b.newTab("alice", false)
	auth := tb.virtualAuthenticator()
	pagesSignUp(tb, "alice", false)

	tb.visit("/settings", passkeysCard+` [data-passkey-add]:not([hidden])`)
	if got := tb.text(passkeysCard); !contains(got, "Passkeys", "You have no passkeys.", "does not replace your password or the email code") {
		t.Errorf("the passkeys card says %q", got)
	}
	if tb.eval("the no-JS words are hidden", `!document.querySelector('[data-passkey-fallback]').checkVisibility()`) == false {
		t.Error("with JavaScript and WebAuthn the card still says a passkey needs JavaScript")
	}
	tb.do("name the passkey", chromedp.SendKeys(chromedp.CSS("#passkey-name"), "Work laptop"))
	tb.do("add it", chromedp.Click(chromedp.CSS(passkeysCard+` [data-passkey-add] button`)))
	tb.do("the list has it", chromedp.WaitVisible(chromedp.CSS(passkeysCard+` li[data-passkey]`)))
	if got := tb.text(passkeysCard); !contains(got, "Work laptop", "Added", "never used") {
		t.Errorf("after adding, the card says %q", got)
	}
	if got := tb.text("main"); !strings.Contains(got, "Passkey added.") {
		t.Errorf("after adding, the page says %q; want the flash", got)
	}
	tb.check("settings (a passkey)", "settings-passkey")

	passkeysLogOut(tb)
	tb.visit("/login", `[data-passkey-login]:not([hidden])`)
	tb.check("login (passkey button)", "login-passkey")
	tb.do("sign in with the passkey", chromedp.Click(chromedp.CSS(`[data-passkey-login] button`)))
	tb.do("at the inbox", chromedp.WaitVisible(chromedp.CSS(`a[href="/settings"]`)))
	if p := tb.path(); p != "/inbox" {
		t.Errorf("signed in with the passkey at %s; want /inbox", p)
	}
	tb.visit("/settings", passkeysCard)
	if got := tb.text(passkeysCard); !strings.Contains(got, "last used") {
		t.Errorf("after signing in with it, the card says %q; want when it was last used", got)
	}

	creds, err := chromedp.Call(tb.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: auth})
	if err != nil || len(creds.Credentials) != 1 {
		t.Fatalf("the authenticator's credentials = %v, %v; want one", creds, err)
	}
	cred := creds.Credentials[0]
	anon := app.client()
	forged := func(origin string, count uint32) int {
		t.Helper()
		r := anon.postJSON("/api/passkeys/login/begin", nil)
		var begun struct {
			Ceremony string
			Options  struct{ PublicKey struct{ Challenge string } }
		}
		if err := json.Unmarshal([]byte(r.body), &begun); err != nil || r.status != 200 {
			t.Fatalf("begin login = %d %s", r.status, r.body)
		}
		answer := signAssertion(t, cred, begun.Options.PublicKey.Challenge, origin, count)
		return anon.postJSON("/api/passkeys/login/finish", map[string]any{"ceremony": begun.Ceremony, "credential": answer}).status
	}
	var stored uint32
	if err := app.db.QueryRow(`SELECT sign_count FROM passkeys`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if got := forged("https://evil.example", stored+10); got != 401 {
		t.Errorf("an assertion for another origin = %d; want 401", got)
	}
	if got := forged(app.server.URL, stored); got != 401 {
		t.Errorf("an assertion whose counter did not go up (a clone) = %d; want 401", got)
	}
	if got := forged(app.server.URL, stored+10); got != 200 {
		t.Errorf("the same key's assertion from this site, counter up = %d; want 200 (the refusals above are for their reasons)", got)
	}

	tb.visit("/settings", passkeysCard)
	tb.submit("remove the passkey", passkeysCard+` li form button`, "/settings")
	if got := tb.text("main"); !contains(got, "Passkey removed.", "You have no passkeys.") {
		t.Errorf("after removing, the page says %q", got)
	}
	passkeysLogOut(tb)
	tb.visit("/login", `[data-passkey-login]:not([hidden])`)
	tb.do("sign in with the removed passkey", chromedp.Click(chromedp.CSS(`[data-passkey-login] button`)))
	tb.waitText("refused", "#passkey-login-error", "That passkey did not work here.")
	if p := tb.path(); p != "/login" {
		t.Errorf("a removed passkey led to %s; want to stay at the login page", p)
	}
	tb.check("login (passkey refused)", "login-passkey-refused")
	tb.checkConsole()
}

// TestBrowserPasskeysNoJS: without JavaScript the login page shows no
// passkey button and settings say that adding one needs JavaScript.
func TestBrowserPasskeysNoJS(t *testing.T) {
	app := startAppOnLocalhost(t, t.TempDir())
	b := startBrowser(t, app, "passkeys-nojs")
	tb := b.newTab("alice", true)
	pagesSignUp(tb, "alice", false)
	tb.visit("/settings", passkeysCard)
	if got := tb.text(passkeysCard); !contains(got, "Adding a passkey needs JavaScript", "does not replace your password") {
		t.Errorf("without JavaScript the card says %q", got)
	}
	if tb.eval("the add form", `document.querySelector('[data-passkey-add]').checkVisibility()`) {
		t.Error("without JavaScript the add form shows")
	}
	tb.check("settings (passkeys, no JS)", "settings-passkeys-nojs")
	passkeysLogOut(tb)
	tb.visit("/login", "#password")
	if tb.eval("the passkey button", `document.querySelector('[data-passkey-login]').checkVisibility()`) {
		t.Error("without JavaScript the login page shows the passkey button")
	}
}

// passkeysLogOut posts the menu's log-out form (the menu is closed) and
// waits for the login page.
func passkeysLogOut(tb *tab) {
	tb.b.t.Helper()
	tb.do("log out", chromedp.Submit(chromedp.CSS(`form[action="/logout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
}

// signAssertion is what an authenticator holding cred answers to challenge
// for origin with counter count: the browser's key, our words.
func signAssertion(t *testing.T, cred *webauthn.Credential, challenge, origin string, count uint32) map[string]any {
	t.Helper()
	key, err := x509.ParsePKCS8PrivateKey(cred.PrivateKey)
	if err != nil {
		t.Fatalf("the credential's key: %v", err)
	}
	client, _ := json.Marshal(map[string]any{"type": "webauthn.get", "challenge": challenge, "origin": origin, "crossOrigin": false})
	rp := sha256.Sum256([]byte(cred.RpID))
	data := append(rp[:], 0x05) // user present, user verified
	data = binary.BigEndian.AppendUint32(data, count)
	clientHash := sha256.Sum256(client)
	digest := sha256.Sum256(append(append([]byte{}, data...), clientHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, key.(*ecdsa.PrivateKey), digest[:])
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	return map[string]any{
		"id": b64(cred.CredentialID), "rawId": b64(cred.CredentialID), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON": b64(client), "authenticatorData": b64(data),
			"signature": b64(sig), "userHandle": b64(cred.UserHandle),
		},
	}
}

// TestBrowserReactPasskeys: the same in the React client: add a passkey on
// the Account screen, sign out, sign in with it from the login screen
// without a username, remove it.
func TestBrowserReactPasskeys(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	app := startAppOnLocalhost(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "react-passkeys")
	tb := b.newTab("alice", false)
	tb.virtualAuthenticator()
	reactSignUp(tb, "alice", false)

	card := `section[aria-labelledby=passkeys-heading]`
	tb.do("open Account", chromedp.Click(chromedp.CSS(`a[href="#/account"]`)))
	tb.waitText("no passkeys yet", card, "You have no passkeys.")
	tb.do("name and add a passkey",
		chromedp.SendKeys(chromedp.CSS(card+` input[name=passkey-name]`), "Work laptop"),
		chromedp.Click(chromedp.CSS(card+` form button[type=submit]`)))
	tb.waitText("the passkey is listed", card+` li`, "Work laptop")
	if got := tb.text(card); !contains(got, "Passkey added.", "never used", "does not replace your password") {
		t.Errorf("after adding, the React card says %q", got)
	}
	tb.check("account (a passkey)", "account-passkey")

	evalAs[bool](tb, "log out", `fetch('/api/logout', {method: 'POST'}).then((r) => r.ok)`, chromedp.EvalAwaitPromise)
	tb.visit("/react/#/login", "input[name=password]")
	tb.waitText("the passkey button", "button", "Sign in with a passkey")
	tb.check("login (passkey button)", "login-passkey")
	tb.do("sign in with the passkey", chromedp.Click(chromedp.CSS(`button[type=button].w-full`)))
	tb.waitJS("the inbox", `location.hash === '#/inbox' && document.querySelector('nav[aria-label=Main]') !== null`)

	tb.do("open Account", chromedp.Click(chromedp.CSS(`a[href="#/account"]`)))
	tb.waitText("last used", card+` li`, "last used")
	tb.do("remove it", chromedp.Click(chromedp.CSS(card+` li button`)))
	tb.waitText("removed", card, "Passkey removed.")
	if got := tb.text(card); !strings.Contains(got, "You have no passkeys.") {
		t.Errorf("after removing, the React card says %q", got)
	}
	tb.checkConsole()
}
