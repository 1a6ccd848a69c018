package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/ratelimit"
	"imageapp/app/web"
)

// sendAPI sends img from c to the recipient and returns the message ID.
func sendAPI(t *testing.T, c *client, to string, img []byte) string {
	t.Helper()
	r := c.postMultipart("/api/messages", field("to", to), file("image", "x.png", img))
	var sent struct{ Message struct{ ID string } }
	decode(t, r, &sent)
	return sent.Message.ID
}

// TestAuthorizationMatrix: a third person gets 404 on every route for a
// message that is not theirs, exactly as for an ID that does not exist, and
// never sees it listed.
func TestAuthorizationMatrix(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob, carol := app.signUp("alice"), app.signUp("bob"), app.signUp("carol")
	img := testPNG(t, 8, 8)
	id := sendAPI(t, alice, "bob", img)
	missing := strings.Repeat("0", 32)

	routes := []struct {
		method, path string
	}{
		{"GET", "/messages/%s"},
		{"GET", "/messages/%s/image"},
		{"POST", "/messages/%s/delete"},
		{"GET", "/api/messages/%s"},
		{"GET", "/api/messages/%s/image"},
		{"DELETE", "/api/messages/%s"},
	}
	for _, rt := range routes {
		for _, target := range []string{id, missing} {
			path := strings.Replace(rt.path, "%s", target, 1)
			req, _ := http.NewRequest(rt.method, app.server.URL+path, nil)
			if r := carol.do(req); r.status != http.StatusNotFound {
				t.Errorf("carol %s %s: got %d, want 404", rt.method, path, r.status)
			} else if strings.Contains(r.body, "alice") || bytes.Contains([]byte(r.body), img) {
				t.Errorf("carol %s %s: the 404 leaks the message", rt.method, path)
			}
		}
	}
	for _, box := range []string{"inbox", "sent"} {
		if r := carol.get("/api/messages?box=" + box); strings.Contains(r.body, id) {
			t.Errorf("carol's %s lists someone else's message", box)
		}
	}
	// The message survived carol's attempts, and both parties can still see it.
	if r := bob.get("/api/messages/" + id + "/image"); !bytes.Equal([]byte(r.body), img) {
		t.Errorf("bob (recipient) cannot open his message after carol's tries: %d", r.status)
	}
	if r := alice.get("/api/messages/" + id); r.status != http.StatusOK {
		t.Errorf("alice (sender) cannot see her sent message: %d", r.status)
	}
	// Logged out: every message route is 401 (API) or a redirect to login.
	anon := app.client()
	if r := anon.get("/api/messages/" + id + "/image"); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous image: got %d, want 401", r.status)
	}
	if r := anon.get("/messages/" + id); r.url != "/login" {
		t.Errorf("anonymous message page: landed on %s, want /login", r.url)
	}
}

// TestTamperedMessagesFailCleanly: moving a wrapped key or a blob to another
// message, or flipping one byte of a blob, makes opening fail with an error
// page — never with bytes that did not authenticate.
func TestTamperedMessagesFailCleanly(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	db := app.db
	blobPath := func(id string) string { return filepath.Join(app.dir, "blobs", id[:2], id) }

	pair := func() (string, string, []byte, []byte) {
		a, b := testPNG(t, 30, 30), testPNG(t, 31, 30)
		return sendAPI(t, alice, "bob", a), sendAPI(t, alice, "bob", b), a, b
	}
	assertFails := func(t *testing.T, id string, originals ...[]byte) {
		t.Helper()
		for _, path := range []string{"/messages/" + id + "/image", "/api/messages/" + id + "/image"} {
			r := bob.get(path)
			if r.status != http.StatusInternalServerError {
				t.Errorf("GET %s: got %d, want 500", path, r.status)
			}
			if !strings.Contains(r.body, "integrity check") {
				t.Errorf("GET %s: the error does not explain the failed integrity check: %s", path, r.body)
			}
			for _, o := range originals {
				if bytes.Contains([]byte(r.body), o[:64]) {
					t.Errorf("GET %s: image bytes leaked into the error response", path)
				}
			}
		}
	}

	t.Run("swapped wrapped keys", func(t *testing.T) {
		id1, id2, a, b := pair()
		var k1, k2 []byte
		must(t, db.QueryRow(`SELECT wrapped_key FROM messages WHERE id = ?`, id1).Scan(&k1))
		must(t, db.QueryRow(`SELECT wrapped_key FROM messages WHERE id = ?`, id2).Scan(&k2))
		_, err := db.Exec(`UPDATE messages SET wrapped_key = ? WHERE id = ?`, k2, id1)
		must(t, err)
		_, err = db.Exec(`UPDATE messages SET wrapped_key = ? WHERE id = ?`, k1, id2)
		must(t, err)
		assertFails(t, id1, a, b)
		assertFails(t, id2, a, b)
		if r := bob.get("/messages/" + id1); r.status != http.StatusInternalServerError || !strings.Contains(r.body, "integrity check") {
			t.Errorf("message page with a swapped key: got %d", r.status)
		}
	})
	t.Run("swapped blobs", func(t *testing.T) {
		id1, id2, a, b := pair()
		tmp := blobPath(id1) + ".swap"
		must(t, os.Rename(blobPath(id1), tmp))
		must(t, os.Rename(blobPath(id2), blobPath(id1)))
		must(t, os.Rename(tmp, blobPath(id2)))
		assertFails(t, id1, a, b)
		assertFails(t, id2, a, b)
	})
	t.Run("one flipped byte", func(t *testing.T) {
		id, _, a, _ := pair()
		raw, err := os.ReadFile(blobPath(id))
		must(t, err)
		raw[len(raw)/2] ^= 0x01
		must(t, os.WriteFile(blobPath(id), raw, 0o600))
		assertFails(t, id, a)
	})
	t.Run("flipped byte late in a large image aborts the transfer", func(t *testing.T) {
		big := testPNG(t, 400, 300) // several 64 KiB segments
		id := sendAPI(t, alice, "bob", big)
		raw, err := os.ReadFile(blobPath(id))
		must(t, err)
		raw[len(raw)-40] ^= 0x80 // in the last segment
		must(t, os.WriteFile(blobPath(id), raw, 0o600))

		resp, err := bob.http.Get(app.server.URL + "/api/messages/" + id + "/image")
		must(t, err)
		defer resp.Body.Close()
		got, err := io.ReadAll(resp.Body)
		if err == nil {
			t.Fatalf("reading a tampered image should fail mid-way, read %d bytes without error", len(got))
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "EOF") {
			t.Logf("transfer error: %v", err)
		}
		if len(got) >= len(big) || !bytes.Equal(got, big[:len(got)]) {
			t.Fatalf("the %d bytes delivered before the abort must be an authenticated prefix of the original", len(got))
		}
	})
}

// TestBadInput: every bad input gets a clear error with the right status,
// and none leaves a blob or a message behind.
func TestBadInput(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) { c.MaxUploadBytes = 64 << 10; c.MaxPixels = 1_000_000 })
	alice := app.signUp("alice")
	app.signUp("bob")
	png := testPNG(t, 20, 20)
	large := testPNG(t, 300, 300) // > 64 KiB
	if len(large) <= 64<<10 {
		t.Fatalf("test image too small: %d", len(large))
	}
	bomb := imageapptest.PNGHeader(50_000, 50_000) // 2.5 gigapixels, a few hundred bytes
	eleven := []part{field("to", "bob")}
	for i := range 11 {
		eleven = append(eleven, file("image", fmt.Sprintf("p%d.png", i), png))
	}

	cases := []struct {
		name   string
		parts  []part
		status int
		code   string
	}{
		{"no recipient", []part{file("image", "a.png", png)}, 400, "invalid"},
		{"no image", []part{field("to", "bob")}, 400, "invalid"},
		{"empty file", []part{field("to", "bob"), file("image", "a.png", nil)}, 400, "invalid"},
		{"unknown recipient", []part{field("to", "nobody"), file("image", "a.png", png)}, 404, "not_found"},
		{"to yourself", []part{field("to", "ALICE"), file("image", "a.png", png)}, 400, "invalid"},
		{"not an image", []part{field("to", "bob"), file("image", "a.png", []byte("just some text, honestly"))}, 415, "unsupported_type"},
		{"html named png", []part{field("to", "bob"), file("image", "a.png", []byte("<html><script>alert(1)</script></html>"))}, 415, "unsupported_type"},
		{"svg", []part{field("to", "bob"), file("image", "a.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`))}, 415, "unsupported_type"},
		{"truncated png", []part{field("to", "bob"), file("image", "a.png", png[:30])}, 422, "invalid_image"},
		{"pixel bomb", []part{field("to", "bob"), file("image", "a.png", bomb)}, 422, "invalid_image"},
		{"over the size cap", []part{field("to", "bob"), file("image", "a.png", large)}, 413, "too_large"},
		{"over the size cap, file first", []part{file("image", "a.png", large), field("to", "bob")}, 413, "too_large"},
		{"caption too long", []part{field("to", "bob"), field("caption", strings.Repeat("é", 501)), file("image", "a.png", png)}, 400, "invalid"},
		{"caption too long, after the file", []part{field("to", "bob"), file("image", "a.png", png), field("caption", strings.Repeat("x", 501))}, 400, "invalid"},
		{"eleven images (an album holds ten)", eleven, 400, "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := alice.postMultipart("/api/messages", tc.parts...)
			if r.status != tc.status || !strings.Contains(r.body, `"code":"`+tc.code+`"`) {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tc.status, tc.code)
			}
			if !strings.Contains(r.body, `"message":"`) {
				t.Fatalf("no message for the person: %s", r.body)
			}
			// The upload cap here is exactly the forms' 64 KiB: the message
			// still names the upload's limit, not the form's.
			if tc.code == "too_large" && !strings.Contains(r.body, "The upload is larger than the 64 KiB limit.") {
				t.Fatalf("the 413 names the wrong limit: %s", r.body)
			}
			// The HTML form gets the same status, with the message in the page.
			h := alice.postMultipart("/send", tc.parts...)
			if h.status != tc.status || !strings.Contains(h.body, `role="alert"`) {
				t.Fatalf("form: got %d, want %d with an alert", h.status, tc.status)
			}
		})
	}
	t.Run("not multipart", func(t *testing.T) {
		if r := alice.postJSON("/api/messages", map[string]string{"to": "bob"}); r.status != 400 {
			t.Fatalf("got %d, want 400", r.status)
		}
	})
	// Account forms: the wrong media type, an oversized or broken body.
	post := func(path, ctype, body string) response {
		req, _ := http.NewRequest(http.MethodPost, app.server.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		return app.client().do(req)
	}
	huge := "username=" + strings.Repeat("a", 70<<10)
	for _, tc := range []struct {
		name, path, ctype, body string
		status                  int
		want                    string
	}{
		{"text/plain", "/api/login", "text/plain", "username=alice", 415, `"code":"unsupported_type"`},
		{"form over 64 KiB", "/api/login", "application/x-www-form-urlencoded", huge, 413, "larger than the 64 KiB limit"},
		{"JSON over 64 KiB", "/api/login", "application/json", `{"username":"` + strings.Repeat("a", 70<<10) + `"}`, 413, `"code":"too_large"`},
		{"form page over 64 KiB", "/login", "application/x-www-form-urlencoded", huge, 413, "larger than the 64 KiB limit"},
		{"broken multipart", "/api/login", "multipart/form-data; boundary=x", "--x\r\nbroken", 400, "could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := post(tc.path, tc.ctype, tc.body); r.status != tc.status || !strings.Contains(r.body, tc.want) {
				t.Fatalf("got %d %.300s, want %d with %q", r.status, r.body, tc.status, tc.want)
			}
		})
	}
	t.Run("a lying extension is judged by content", func(t *testing.T) {
		r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "photo.jpg", png))
		if r.status != http.StatusCreated || !strings.Contains(r.body, `"content_type":"image/png"`) {
			t.Fatalf("got %d %s, want 201 as image/png", r.status, r.body)
		}
	})

	// Only the one good send above left anything behind.
	var n int
	must(t, app.db.QueryRow(`SELECT count(*) FROM messages`).Scan(&n))
	blobs := 0
	app.backend.Blobs.ListBlobs(context.Background(), func(imageapp.BlobInfo) error { blobs++; return nil })
	if n != 1 || blobs != 1 {
		t.Fatalf("after the bad inputs: %d messages and %d blobs, want 1 and 1", n, blobs)
	}
	tmps, _ := filepath.Glob(filepath.Join(app.dir, "blobs", "*", ".tmp-*"))
	if len(tmps) != 0 {
		t.Fatalf("temp files left behind: %v", tmps)
	}
}

// TestAccountInput: sign-up, verification and login errors, in the page and in JSON.
func TestAccountInput(t *testing.T) {
	app := startApp(t, t.TempDir(), generousLimits)
	app.signUp("alice")
	c := app.client()
	signup := func(u, e, p string) response {
		return c.postJSON("/api/signup", map[string]string{"username": u, "email": e, "password": p})
	}
	cases := []struct {
		name   string
		r      func() response
		status int
		code   string
	}{
		{"short username", func() response { return signup("al", "a@example.com", "0123456789") }, 400, "invalid"},
		{"username with spaces", func() response { return signup("a l i", "a@example.com", "0123456789") }, 400, "invalid"},
		{"bad email", func() response { return signup("dave", "not-an-email", "0123456789") }, 400, "invalid"},
		{"short password", func() response { return signup("dave", "d@example.com", "123456789") }, 400, "invalid"},
		{"taken, other case", func() response { return signup("ALICE", "x@example.com", "0123456789") }, 409, "conflict"},
		{"bad JSON", func() response {
			req, _ := http.NewRequest("POST", app.server.URL+"/api/signup", strings.NewReader("{"))
			req.Header.Set("Content-Type", "application/json")
			return c.do(req)
		}, 400, "invalid"},
		{"wrong password", func() response {
			return c.postJSON("/api/login", map[string]string{"username": "alice", "password": "wrong password!"})
		}, 401, "unauthorized"},
		{"unknown user", func() response {
			return c.postJSON("/api/login", map[string]string{"username": "zed", "password": "wrong password!"})
		}, 401, "unauthorized"},
		{"malformed code", func() response {
			return c.postJSON("/api/verify", map[string]string{"username": "alice", "code": "12ab"})
		}, 400, "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r()
			if r.status != tc.status || !strings.Contains(r.body, `"code":"`+tc.code+`"`) {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tc.status, tc.code)
			}
		})
	}

	// Unknown user and wrong password read the same, so logins do not reveal who exists.
	wrong := c.postJSON("/api/login", map[string]string{"username": "alice", "password": "wrong password!"})
	unknown := c.postJSON("/api/login", map[string]string{"username": "zed", "password": "wrong password!"})
	if wrong.body != unknown.body {
		t.Errorf("login answers differ: %q vs %q", wrong.body, unknown.body)
	}

	// A code dies after 5 wrong tries by whoever asked for it, even if the
	// 6th is right; the answer is the one every code that does not work gets.
	if r := signup("dave", "dave@example.com", "0123456789"); r.status != 201 {
		t.Fatalf("signup dave: %d", r.status)
	}
	code := app.codeFor("dave@example.com")
	wrongCode := "000000"
	if code == wrongCode {
		wrongCode = "111111"
	}
	for i := 0; i < 5; i++ {
		if r := c.postJSON("/api/verify", map[string]string{"username": "dave", "code": wrongCode}); r.status != 400 {
			t.Fatalf("wrong code %d: got %d", i+1, r.status)
		}
	}
	if r := c.postJSON("/api/verify", map[string]string{"username": "dave", "code": code}); r.status != 400 || !strings.Contains(r.body, "did not work") {
		t.Fatalf("the right code after 5 misses: got %d %s, want 400: the code is spent", r.status, r.body)
	}
	// A resend replaces the dead code with a working one.
	if r := c.postJSON("/api/verify/resend", map[string]string{"username": "dave"}); r.status != 202 {
		t.Fatalf("resend: %d %s", r.status, r.body)
	}
	if r := c.postJSON("/api/verify", map[string]string{"username": "dave", "code": app.codeFor("dave@example.com")}); r.status != 200 {
		t.Fatalf("the resent code: %d %s", r.status, r.body)
	}

	// The login page leads an unconfirmed person to /verify.
	c.postJSON("/api/signup", map[string]string{"username": "erin", "email": "erin@example.com", "password": "0123456789"})
	r := c.postForm("/login", url.Values{"username": {"erin"}, "password": {"0123456789"}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, `href="/verify?username=erin"`) {
		t.Fatalf("unconfirmed login page: got %d without a link to /verify", r.status)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// generousLimits keeps the abuse limits out of tests about something else.
func generousLimits(c *Config) {
	generous := ratelimit.Rule{Burst: 1000, Every: time.Millisecond}
	c.Limits = web.Limits{PerIP: generous, PerUser: generous, CodeMailsPerIP: generous, CodeMails: generous}
}

// TestRateLimits: each account action answers 429 with Retry-After once a
// client IP or a username has used its burst, in JSON and in the page.
func TestRateLimits(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) {
		c.Limits = web.Limits{PerIP: ratelimit.Rule{Burst: 4, Every: time.Hour}, PerUser: ratelimit.Rule{Burst: 2, Every: time.Hour}}
	})
	c := app.client()
	actions := []struct {
		path string
		body map[string]string
	}{
		{"/api/login", map[string]string{"username": "alice", "password": "0123456789"}},
		{"/api/verify", map[string]string{"username": "alice", "code": "123456"}},
		{"/api/verify/resend", map[string]string{"username": "alice"}},
		{"/api/password/forgot", map[string]string{"username": "alice"}},
		{"/api/password/reset", map[string]string{"username": "alice", "code": "123456", "password": "0123456789"}},
	}
	for _, a := range actions {
		// Per username: the third try for alice is refused...
		for i := 0; i < 2; i++ {
			if r := c.postJSON(a.path, a.body); r.status == http.StatusTooManyRequests {
				t.Fatalf("%s: try %d already limited", a.path, i+1)
			}
		}
		r := c.postJSON(a.path, a.body)
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, `"rate_limited"`) || r.header.Get("Retry-After") == "" {
			t.Fatalf("%s: 3rd try for one username: got %d %s (Retry-After %q), want 429", a.path, r.status, r.body, r.header.Get("Retry-After"))
		}
		// ...while another username from the same IP still gets through once more,
		other := map[string]string{}
		for k, v := range a.body {
			other[k] = v
		}
		other["username"] = "bob"
		if r := c.postJSON(a.path, other); r.status == http.StatusTooManyRequests {
			t.Fatalf("%s: bob is limited by alice's tries", a.path)
		}
		// and then the IP's burst of 4 is spent.
		other["username"] = "carol"
		if r := c.postJSON(a.path, other); r.status != http.StatusTooManyRequests {
			t.Fatalf("%s: the IP's 5th try: got %d, want 429", a.path, r.status)
		}
	}
	// Sign-up is limited per IP, and the HTML form says so in the page.
	for i := 0; i < 4; i++ {
		c.postForm("/signup", url.Values{"username": {"user" + strconv.Itoa(i)}, "email": {"u@example.com"}, "password": {"x"}})
	}
	r := c.postForm("/signup", url.Values{"username": {"late"}, "email": {"late@example.com"}, "password": {"0123456789"}})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many attempts") || r.header.Get("Retry-After") == "" {
		t.Fatalf("sign-up form over the limit: got %d, want 429 with the message in the page", r.status)
	}
}

// TestCodeGuessesAreBoundedPerAccount: asking for a new code gives the new
// code 5 tries, but not a fresh budget: after 20 wrong codes in a day from
// one place even the right one is refused there, until the day is over.
// Without the budget, alternating "forgot" and "reset" guesses a 6-digit
// code without end. (Strangers elsewhere: TestStrangersCannotBlockRecovery.)
func TestCodeGuessesAreBoundedPerAccount(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), generousLimits, withClock(clk))
	app.signUp("victim")
	attacker := app.client()
	reset := func(code string) response {
		return attacker.postJSON("/api/password/reset", map[string]string{"username": "victim", "code": code, "password": "attacker pass 1"})
	}
	forgot := func() string {
		t.Helper()
		if r := attacker.postJSON("/api/password/forgot", map[string]string{"username": "victim"}); r.status != http.StatusAccepted {
			t.Fatalf("forgot: %d %s", r.status, r.body)
		}
		return app.codeFor("victim@example.com")
	}
	for round := range 4 {
		code := forgot()
		n, _ := strconv.Atoi(code)
		wrong := fmt.Sprintf("%06d", (n+1)%1_000_000)
		for i := range 5 {
			if r := reset(wrong); r.status != http.StatusBadRequest {
				t.Fatalf("round %d, wrong code %d: got %d %s, want 400", round+1, i+1, r.status, r.body)
			}
		}
	}
	code := forgot()
	r := reset(code)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "today. Try again in 24 hours") {
		t.Fatalf("the right code after 20 wrong ones in a day: got %d %s, want 429", r.status, r.body)
	}
	if ra, _ := strconv.Atoi(r.header.Get("Retry-After")); ra < 86000 || ra > 86400 {
		t.Fatalf("Retry-After %q, want the day's remaining ~86400 seconds", r.header.Get("Retry-After"))
	}
	clk.Add(codeDay + time.Minute)
	if r := reset(forgot()); r.status != http.StatusOK && r.status != http.StatusNoContent {
		t.Fatalf("the right code a day later: got %d %s", r.status, r.body)
	}
}

// codeDay is the window of the per-account code budget.
const codeDay = 24 * time.Hour

// TestWrongPasswordsDoNotLockOwnerOut: a stranger's wrong passwords spend a
// username's login bucket, which then stops new devices, but the browser its
// owner logged in from before still gets in (it has a bucket of its own). A
// copied device cookie shares that bucket; a forged one counts for nothing.
func TestWrongPasswordsDoNotLockOwnerOut(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) {
		c.Limits = web.Limits{PerIP: ratelimit.Rule{Burst: 1000, Every: time.Millisecond}, PerUser: ratelimit.Rule{Burst: 3, Every: time.Hour}}
	})
	owner := app.signUp("owner") // logged in once: this browser is known
	if r := owner.postJSON("/api/logout", nil); r.status != http.StatusNoContent {
		t.Fatalf("logout: %d", r.status)
	}
	stranger := app.client()
	for i := range 3 {
		stranger.postJSON("/api/login", map[string]string{"username": "owner", "password": "guess number " + strconv.Itoa(i)})
	}
	if r := stranger.postJSON("/api/login", map[string]string{"username": "owner", "password": "one more guess"}); r.status != http.StatusTooManyRequests {
		t.Fatalf("the stranger's 4th guess: got %d, want 429", r.status)
	}
	if r := app.client().postJSON("/api/login", map[string]string{"username": "owner", "password": "correct horse battery"}); r.status != http.StatusTooManyRequests {
		t.Fatalf("a new device while the username is limited: got %d, want 429", r.status)
	}
	if r := owner.postForm("/login", url.Values{"username": {"owner"}, "password": {"correct horse battery"}}); r.status != http.StatusOK || r.url != "/inbox" {
		t.Fatalf("the owner's known browser: got %d at %s, want logged in: %s", r.status, r.url, r.body)
	}
	// A copied device cookie buys no more guesses than the username bucket: it
	// shares its device's bucket (burst 3, one spent by the owner's login).
	u, _ := url.Parse(app.server.URL)
	thief := app.client()
	thief.http.Jar.SetCookies(u, owner.http.Jar.Cookies(u))
	accepted := 0
	for i := range 10 {
		if r := thief.postJSON("/api/login", map[string]string{"username": "owner", "password": "guess number " + strconv.Itoa(i)}); r.status != http.StatusTooManyRequests {
			accepted++
		}
	}
	if accepted > 2 {
		t.Fatalf("a copied device cookie let %d guesses through, want at most the device bucket's 2 left", accepted)
	}
	// The cookie does not open another username's bucket,
	forged := app.client()
	forged.http.Jar.SetCookies(u, owner.http.Jar.Cookies(u))
	for i := range 4 {
		forged.postJSON("/api/login", map[string]string{"username": "someone", "password": "guess number " + strconv.Itoa(i)})
	}
	if r := forged.postJSON("/api/login", map[string]string{"username": "someone", "password": "guess"}); r.status != http.StatusTooManyRequests {
		t.Fatalf("another username with owner's device cookie: got %d, want 429", r.status)
	}
	// and a made-up one counts for nothing.
	madeUp := app.client()
	madeUp.http.Jar.SetCookies(u, []*http.Cookie{{Name: "imageapp_device", Value: "owner"}})
	if r := madeUp.postJSON("/api/login", map[string]string{"username": "owner", "password": "correct horse battery"}); r.status != http.StatusTooManyRequests {
		t.Fatalf("a made-up device cookie: got %d, want 429", r.status)
	}
}
