package server

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"imageapp/app/local"
)

// clock is a test clock the app reads through Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time        { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration)   { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }
func newClock() *clock                 { return &clock{now: time.Now()} }
func withClock(c *clock) func(*Config) { return func(cfg *Config) { cfg.Now = c.Now } }
func (c *client) cookies() []*http.Cookie {
	u, _ := url.Parse(c.app.server.URL)
	return c.http.Jar.Cookies(u)
}

// sessionCookies are the client's session cookies, without the device cookie.
func (c *client) sessionCookies() []*http.Cookie {
	var out []*http.Cookie
	for _, k := range c.cookies() {
		if strings.HasSuffix(k.Name, "imageapp_session") {
			out = append(out, k)
		}
	}
	return out
}

// copyCookies gives another client the same cookies: a stolen session.
func (c *client) copyCookies(to *client) {
	u, _ := url.Parse(c.app.server.URL)
	to.http.Jar.SetCookies(u, c.http.Jar.Cookies(u))
}

func TestLogoutEndsCopiedSessions(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	thief := app.client()
	alice.copyCookies(thief)
	if r := thief.get("/api/me"); r.status != http.StatusOK {
		t.Fatalf("a copied cookie works before logout (as cookies do): got %d", r.status)
	}
	alice.postForm("/logout", nil)
	if r := thief.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("after logout the copied cookie still works: %d", r.status)
	}
}

func TestPasswordResetEndsSessions(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	other := app.client()
	if r := other.postForm("/forgot", url.Values{"username": {"alice"}}); r.url != "/reset" {
		t.Fatalf("forgot: landed on %s", r.url)
	}
	r := other.postForm("/reset", url.Values{"username": {"alice"}, "code": {app.codeFor("alice@example.com")}, "password": {"a brand new password"}})
	if r.url != "/login" {
		t.Fatalf("reset: %d at %s: %s", r.status, r.url, r.body)
	}
	if r := alice.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("a session from before the password change still works: %d", r.status)
	}
	if r := other.postForm("/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}}); r.url == "/inbox" {
		t.Fatalf("the old password still logs in")
	}
	if r := other.postForm("/login", url.Values{"username": {"alice"}, "password": {"a brand new password"}}); r.url != "/inbox" {
		t.Fatalf("the new password does not log in: %d at %s", r.status, r.url)
	}
}

func TestSessionRenewedAtLogin(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	before := alice.sessionCookies()
	if r := alice.postForm("/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}}); r.url != "/inbox" {
		t.Fatalf("second login: %s", r.url)
	}
	after := alice.sessionCookies()
	if len(before) != 1 || len(after) != 1 || before[0].Value == after[0].Value {
		t.Fatalf("login must issue a new session cookie")
	}
	// Not just a re-encoded cookie: a new session, with an ID of its own.
	secrets, err := local.LoadSecrets(app.dir, "")
	must(t, err)
	codecs := sessions.NewCookieStore(secrets.Hash, secrets.Block).Codecs
	sid := func(c *http.Cookie) any {
		values := map[any]any{}
		must(t, securecookie.DecodeMulti(c.Name, c.Value, &values, codecs...))
		return values["sid"]
	}
	if a, b := sid(before[0]), sid(after[0]); a == nil || a == b {
		t.Fatalf("the session ID was %v before login and %v after; want a new one", a, b)
	}
}

func TestSessionTimeouts(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	alice := app.signUp("alice")

	// Active use keeps the session alive past the idle timeout...
	for i := 0; i < 4; i++ {
		clk.Add(90 * time.Minute)
		if r := alice.get("/api/me"); r.status != http.StatusOK {
			t.Fatalf("after %v of activity the session ended: %d", time.Duration(i+1)*90*time.Minute, r.status)
		}
	}
	// ...but not past the absolute limit of 12 hours.
	for i := 0; i < 6; i++ {
		clk.Add(90 * time.Minute)
		alice.get("/api/me")
	}
	if r := alice.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("a 15-hour-old session still works: %d", r.status)
	}

	// Idle: 2 hours without a request ends it.
	bob := app.signUp("bob")
	clk.Add(2*time.Hour + time.Minute)
	if r := bob.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("a session idle for over 2 hours still works: %d", r.status)
	}
	// An htmx refresh after the end is told to load the login page, which
	// brings the person back to the page they were on, rather than being
	// redirected inside the fetch and getting the login page as a fragment.
	req, _ := http.NewRequest(http.MethodGet, app.server.URL+"/inbox", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", app.server.URL+"/sent?cursor=abc")
	r := bob.do(req)
	if r.status != http.StatusUnauthorized || r.header.Get("HX-Redirect") != "/login?next=%2Fsent%3Fcursor%3Dabc" {
		t.Fatalf("an htmx request without a session: got %d at %s, HX-Redirect %q", r.status, r.url, r.header.Get("HX-Redirect"))
	}
}

func TestHostCookieOverTLS(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) { c.BaseURL = "https://imageapp.example" })
	alice := app.signUp("alice")
	resp, err := alice.http.PostForm(app.server.URL+"/api/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-imageapp_session=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %q", sc, want)
		}
	}
	if strings.Contains(strings.ToLower(sc), "domain=") {
		t.Errorf("a __Host- cookie must not name a domain: %q", sc)
	}
}

func TestSecurityHeaders(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	app.signUp("bob")
	id := sendAPI(t, alice, "bob", testPNG(t, 4, 4))

	for _, path := range []string{"/login", "/inbox", "/messages/" + id, "/api/me"} {
		r := alice.get(path)
		csp := r.header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", path, csp)
		}
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		} {
			if got := r.header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
		if !strings.Contains(r.header.Get("Permissions-Policy"), "geolocation=()") {
			t.Errorf("%s: no Permissions-Policy", path)
		}
		if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=\"") || strings.Contains(r.body, "<style") {
			t.Errorf("%s: inline script or style in the page", path)
		}
	}
	img := alice.get("/messages/" + id + "/image")
	for h, want := range map[string]string{
		"Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
	} {
		if got := img.header.Get(h); got != want {
			t.Errorf("image: %s = %q, want %q", h, got, want)
		}
	}
	if csp := img.header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("image CSP does not sandbox: %q", csp)
	}
	if cd := img.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `inline; filename="image-`) {
		t.Errorf("image Content-Disposition = %q", cd)
	}

	// No state changes on GET.
	for _, path := range []string{"/logout", "/messages/" + id + "/delete"} {
		if r := alice.get(path); r.status != http.StatusMethodNotAllowed && r.status != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 405 or 404", path, r.status)
		}
	}
	if r := alice.get("/api/me"); r.status != http.StatusOK {
		t.Errorf("a GET of /logout must not log out")
	}
}

// TestCrossSiteRequestsRefused and TestLoginRedirectStaysOnSite are in hardening_test.go.

// TestBackgroundRefreshIsNotUse: the inbox's own refresh, sent by an open
// tab on each live event (or every 15 s while the stream is down), does not
// keep an idle session alive.
func TestBackgroundRefreshIsNotUse(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	alice := app.signUp("alice")
	if page := alice.get("/inbox"); !strings.Contains(page.body, `<div id="inbox" hx-get="/inbox" hx-trigger="inbox from:body, refresh"`) {
		t.Fatalf("the inbox is not the div#inbox that refreshes itself")
	}
	poll := func() response { // as htmx 4 sends it (checked in Chromium by TestBrowserHTMX)
		req, _ := http.NewRequest(http.MethodGet, app.server.URL+"/inbox", nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Source", "div#inbox")
		return alice.do(req)
	}
	for i := range 3 { // 1.5 hours of a tab open and nobody there
		clk.Add(30 * time.Minute)
		if r := poll(); r.status != http.StatusOK {
			t.Fatalf("refresh %d within the idle limit: %d", i+1, r.status)
		}
	}
	clk.Add(31 * time.Minute)
	if r := poll(); r.status != http.StatusUnauthorized {
		t.Fatalf("a refresh 2 hours after the last use: got %d, want 401", r.status)
	}
}

// TestResetKeepsTheCodeAfterAPasswordError: a new password that breaks the
// policy re-shows the form with the code still filled in; a wrong code is
// not refilled.
func TestResetKeepsTheCodeAfterAPasswordError(t *testing.T) {
	app := startApp(t, t.TempDir(), generousLimits)
	app.signUp("alice")
	c := app.client()
	if r := c.postForm("/forgot", url.Values{"username": {"alice"}}); r.status != http.StatusOK {
		t.Fatalf("forgot: %d", r.status)
	}
	code := app.codeFor("alice@example.com")
	r := c.postForm("/reset", url.Values{"username": {"alice"}, "code": {code}, "password": {"short"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `value="`+code+`"`) {
		t.Errorf("a too-short password: %d, the code refilled %v; want 400 with the code kept", r.status, strings.Contains(r.body, code))
	}
	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	r = c.postForm("/reset", url.Values{"username": {"alice"}, "code": {wrong}, "password": {"a long enough password"}})
	if strings.Contains(r.body, `value="`+wrong+`"`) {
		t.Errorf("a wrong code was refilled into the form")
	}
}
