package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

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
