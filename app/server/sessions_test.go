package server

// Sessions end to end: the cookie and its lifetime, logout and password
// changes that end copies of it, and the list of devices where a person is
// logged in (settings page and GET /api/me/sessions), each of which they can
// end.

import (
	"encoding/json"
	"imageapp/app/local"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"imageapp/app/web"
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
	codecs := web.CookieCodecs(secrets.Hash, secrets.Block)
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

const (
	firefoxLinux  = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	chromeAndroid = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)

// uaTransport sends every request with one User-Agent, as one browser does.
type uaTransport struct {
	ua   string
	base http.RoundTripper
}

func (t uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.ua)
	return t.base.RoundTrip(r)
}

// loginWith logs a fresh client in as username, sending ua on every request.
func (a *testApp) loginWith(username, password, ua string) *client {
	a.t.Helper()
	c := a.client()
	c.http.Transport = uaTransport{ua: ua, base: c.http.Transport}
	if r := c.postForm("/login", url.Values{"username": {username}, "password": {password}}); r.url != "/inbox" {
		a.t.Fatalf("login %s: %d at %s", username, r.status, r.url)
	}
	return c
}

type listedSession struct {
	ID       string `json:"id"`
	Device   string `json:"device"`
	Created  string `json:"created_at"`
	LastSeen string `json:"last_seen"`
	Current  bool   `json:"current"`
}

// sessionsOf is c's GET /api/me/sessions.
func sessionsOf(t *testing.T, c *client) []listedSession {
	t.Helper()
	r := c.get("/api/me/sessions")
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/me/sessions: %d %s", r.status, r.body)
	}
	var reply struct{ Sessions []listedSession }
	if err := json.Unmarshal([]byte(r.body), &reply); err != nil {
		t.Fatalf("GET /api/me/sessions: %v in %s", err, r.body)
	}
	return reply.Sessions
}

func devicesOf(list []listedSession) []string {
	var out []string
	for _, s := range list {
		d := s.Device
		if s.Current {
			d += " (current)"
		}
		out = append(out, d)
	}
	return out
}

// TestSessionsListAndEnd: three devices of alice (Firefox on Linux, Chrome
// on Android, curl) see three sessions, theirs first and marked current;
// the settings page lists them with "This device"; ending one makes its
// next request 401 (the login page for pages) while the others work;
// another user cannot end them (404); "all other devices" leaves only the
// current one; logout removes its own entry and no other.
func TestSessionsListAndEnd(t *testing.T) {
	app := startApp(t, t.TempDir())
	app.signUp("alice")
	laptop := app.loginWith("alice", "correct horse battery", firefoxLinux)
	phone := app.loginWith("alice", "correct horse battery", chromeAndroid)
	script := app.loginWith("alice", "correct horse battery", "curl/8.5.0")
	bob := app.signUp("bob")

	list := sessionsOf(t, laptop)
	got := strings.Join(devicesOf(list), ", ")
	for _, want := range []string{"Firefox on Linux (current)", "Chrome on Android", "curl"} {
		if !strings.Contains(got, want) {
			t.Errorf("alice's sessions: %s; want %q among them", got, want)
		}
	}
	if len(list) != 4 || !list[0].Current || list[0].Created == "" || list[0].LastSeen == "" {
		t.Fatalf("alice's sessions (her sign-up's, then three logins): %+v; want 4, the current first, with times", list)
	}
	for _, s := range list {
		if strings.Contains(s.Device, "Mozilla") || strings.Contains(s.Device, "Gecko") {
			t.Errorf("a device shows the raw User-Agent: %q", s.Device)
		}
	}
	page := laptop.get("/settings")
	if !strings.Contains(page.body, "Where you're logged in") || !strings.Contains(page.body, "This device") ||
		!strings.Contains(page.body, "Chrome on Android") || !strings.Contains(page.body, `action="/settings/sessions/end-others"`) {
		t.Errorf("the settings page does not list the sessions:\n%.2000s", page.body)
	}

	phoneID := idOfDevice(t, list, "Chrome on Android")
	if r := bob.delete("/api/me/sessions/" + phoneID); r.status != http.StatusNotFound {
		t.Errorf("bob ends alice's session: %d; want 404", r.status)
	}
	if r := phone.get("/api/me"); r.status != http.StatusOK {
		t.Fatalf("alice's phone after bob's try: %d", r.status)
	}
	r := laptop.postForm("/settings/sessions/"+phoneID+"/end", nil)
	if r.url != "/settings" || !strings.Contains(r.body, "That device is logged out.") || strings.Contains(r.body, "Chrome on Android") {
		t.Errorf("end the phone's session: at %s; want the settings page saying so, without the phone", r.url)
	}
	if r := phone.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Errorf("the ended phone's next request: %d; want 401", r.status)
	}
	if r := phone.get("/inbox"); r.url != "/login" {
		t.Errorf("the ended phone's inbox: at %s; want the login page", r.url)
	}
	for name, c := range map[string]*client{"laptop": laptop, "script": script} {
		if r := c.get("/api/me"); r.status != http.StatusOK {
			t.Errorf("the %s after the phone was logged out: %d; want 200", name, r.status)
		}
	}

	// Logout removes its own entry, and no other.
	if r := script.postJSON("/api/logout", nil); r.status != http.StatusNoContent {
		t.Fatalf("the script logs out: %d", r.status)
	}
	if got := devicesOf(sessionsOf(t, laptop)); len(got) != 2 || strings.Contains(strings.Join(got, ","), "curl") {
		t.Errorf("after the script's logout: %v; want the laptop and the sign-up's session", got)
	}

	// Log out all other devices (the JSON twin).
	other := app.loginWith("alice", "correct horse battery", chromeAndroid)
	if r := other.delete("/api/me/sessions"); r.status != http.StatusNoContent {
		t.Fatalf("DELETE /api/me/sessions: %d %s", r.status, r.body)
	}
	if got := devicesOf(sessionsOf(t, other)); len(got) != 1 || got[0] != "Chrome on Android (current)" {
		t.Errorf("after ending the others: %v; want only the current", got)
	}
	if r := laptop.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Errorf("the laptop after 'log out all other devices': %d; want 401", r.status)
	}
}

// TestSessionsFormEndOthersAndPassword: the page's "Log out all other
// devices" leaves only this device; a password change leaves only the
// device that changed it (with a fresh session) in the list.
func TestSessionsFormEndOthersAndPassword(t *testing.T) {
	app := startApp(t, t.TempDir())
	app.signUp("alice")
	laptop := app.loginWith("alice", "correct horse battery", firefoxLinux)
	phone := app.loginWith("alice", "correct horse battery", chromeAndroid)
	r := laptop.postForm("/settings/sessions/end-others", nil)
	if r.url != "/settings" || !strings.Contains(r.body, "Every other device is logged out.") ||
		!strings.Contains(r.body, "You are not logged in anywhere else.") {
		t.Errorf("end the others: at %s; want the settings page saying so", r.url)
	}
	if got := devicesOf(sessionsOf(t, laptop)); len(got) != 1 || got[0] != "Firefox on Linux (current)" {
		t.Errorf("after ending the others: %v", got)
	}
	if r := phone.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Errorf("the phone after 'log out all other devices': %d; want 401", r.status)
	}

	phone = app.loginWith("alice", "correct horse battery", chromeAndroid)
	r = phone.postJSON("/api/me/password", map[string]string{"current_password": "correct horse battery", "new_password": newPassword})
	if r.status != http.StatusNoContent {
		t.Fatalf("change the password: %d %s", r.status, r.body)
	}
	if got := devicesOf(sessionsOf(t, phone)); len(got) != 1 || got[0] != "Chrome on Android (current)" {
		t.Errorf("after a password change: %v; want only the device that changed it", got)
	}
}

// TestEndedSessionFailsOnAnotherInstance: two instances on one data
// directory; a session ended through one is refused by the other at once.
func TestEndedSessionFailsOnAnotherInstance(t *testing.T) {
	dir := t.TempDir()
	one := startApp(t, dir)
	two := startApp(t, dir)
	one.signUp("alice")
	laptop := one.loginWith("alice", "correct horse battery", firefoxLinux)
	phone := two.loginWith("alice", "correct horse battery", chromeAndroid)
	if r := laptop.delete("/api/me/sessions/" + idOfDevice(t, sessionsOf(t, laptop), "Chrome on Android")); r.status != http.StatusNoContent {
		t.Fatalf("end the phone's session on instance one: %d %s", r.status, r.body)
	}
	if r := phone.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Errorf("the ended session on instance two: %d; want 401", r.status)
	}
}

func idOfDevice(t *testing.T, list []listedSession, device string) string {
	t.Helper()
	for _, s := range list {
		if s.Device == device {
			return s.ID
		}
	}
	t.Fatalf("no %s session in %+v", device, list)
	return ""
}

// TestCookieValuesAsWritten: the embedded backend writes its session
// cookie's values as JSON (a JSON-only codec reads them; gob would not
// start with '{'); with IMAGEAPP_COOKIE_VALUES=gob, as AWS mode does by
// default for instances of older versions that read gob only, they are gob
// (a plain gob codec reads them and the JSON-only one does not), and the
// app reads both.
func TestCookieValuesAsWritten(t *testing.T) {
	for _, values := range []string{"", "gob"} {
		app := startApp(t, t.TempDir(), func(c *Config) { c.CookieValues = values })
		alice := app.signUp("alice")
		if r := alice.get("/api/me"); r.status != http.StatusOK {
			t.Fatalf("IMAGEAPP_COOKIE_VALUES=%q: /api/me %d", values, r.status)
		}
		secrets, err := local.LoadSecrets(app.dir, "")
		must(t, err)
		jsonOnly := securecookie.New(secrets.Hash, secrets.Block).SetSerializer(securecookie.JSONEncoder{})
		gobOnly := securecookie.New(secrets.Hash, secrets.Block)
		cookie := alice.sessionCookies()[0]
		var asJSON map[string]any
		var asGob map[any]any
		jsonErr := jsonOnly.Decode(cookie.Name, cookie.Value, &asJSON)
		gobErr := gobOnly.Decode(cookie.Name, cookie.Value, &asGob)
		switch {
		case values == "" && (jsonErr != nil || asJSON["name"] != "alice" || gobErr == nil):
			t.Errorf("embedded backend: the session cookie is not JSON (as JSON: %v %v; as gob: %v)", asJSON, jsonErr, gobErr)
		case values == "gob" && (gobErr != nil || asGob["name"] != "alice" || jsonErr == nil):
			t.Errorf("IMAGEAPP_COOKIE_VALUES=gob: the session cookie is not gob (as gob: %v %v; as JSON: %v)", asGob, gobErr, jsonErr)
		}
	}
}
