package server

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var updateContract = flag.Bool("update-contract", false, "rewrite react/test/fixtures/api-replies.json from the server's replies")

// TestAPIContract records the real replies of the /api/ routes the React
// client reads into react/test/fixtures/api-replies.json, with IDs and times
// made stable. React's contract test renders its screens from that file, so
// a field renamed here fails there; this test fails when the committed file
// is not what the server answers now.
func TestAPIContract(t *testing.T) {
	clock := &clock{now: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}
	app := startApp(t, t.TempDir(), generousLimits, withClock(clock))
	bob := app.signUp("bob")
	app.signUp("carol")
	replies := map[string]recorded{}
	record := func(key string, r response, want int) {
		t.Helper()
		clock.Add(time.Minute) // every step at a time of its own, the same in every run
		if r.status != want {
			t.Fatalf("%s: %d %s, want %d", key, r.status, r.body, want)
		}
		replies[key] = recorded{Status: r.status, Body: json.RawMessage(r.body)}
	}

	alice := app.client()
	signup := alice.postJSON("/api/signup", map[string]string{
		"username": "alice", "email": "alice@example.com", "password": "correct horse battery"})
	outbox, _ := json.Marshal(filepath.Join(app.dir, "outbox")) // a temporary folder: named as a real one would be
	signup.body = strings.Replace(signup.body, string(outbox), `"/var/lib/imageapp/outbox"`, 1)
	record("POST /api/signup", signup, http.StatusCreated)
	record("POST /api/verify", alice.postJSON("/api/verify", map[string]string{
		"username": "alice", "code": app.codeFor("alice@example.com")}), http.StatusOK)
	record("POST /api/login", alice.postJSON("/api/login", map[string]string{
		"username": "alice", "password": "correct horse battery"}), http.StatusOK)

	// Alice's inbox: one image opened (with a caption), one not yet.
	captioned := sendWith(t, bob, "alice", testPNG(t, 24, 16), "Sunset at the lake")
	clock.Add(time.Minute)
	sendWith(t, bob, "alice", testPNG(t, 16, 24), "")
	record("GET /api/messages/{id}", alice.get("/api/messages/"+captioned), http.StatusOK)
	// Alice's sent box: one opened by bob, one not yet.
	var sent struct{ Message struct{ ID string } }
	r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "hello.png", testPNG(t, 20, 20)), field("caption", "Hello"))
	record("POST /api/messages", r, http.StatusCreated)
	decode(t, r, &sent)
	clock.Add(time.Minute)
	must(t, bob.get("/api/messages/"+sent.Message.ID).err())
	clock.Add(time.Minute)
	sendWith(t, alice, "carol", testPNG(t, 12, 12), "")

	record("GET /api/me", alice.get("/api/me"), http.StatusOK)
	record("GET /api/users", alice.get("/api/users"), http.StatusOK)
	record("GET /api/messages?box=inbox", alice.get("/api/messages?box=inbox"), http.StatusOK)
	record("GET /api/messages?box=sent", alice.get("/api/messages?box=sent"), http.StatusOK)
	record("GET /api/conversations/{username}", alice.get("/api/conversations/bob"), http.StatusOK)
	record("GET /api/settings/privacy", alice.get("/api/settings/privacy"), http.StatusOK)
	record("PUT /api/settings/privacy", alice.putJSON("/api/settings/privacy", map[string]bool{"read_receipts": true, "listed": true}), http.StatusOK)
	record("POST /api/settings/email", alice.postJSON("/api/settings/email", map[string]string{
		"new_email": "alice.new@example.com", "password": "correct horse battery"}), http.StatusAccepted)
	record("GET /api/settings/email", alice.get("/api/settings/email"), http.StatusOK)

	// Message requests: alice accepts images only from people she knows;
	// dave and erin are strangers to her.
	must(t, alice.putJSON("/api/settings/privacy", map[string]bool{"message_requests": true}).err())
	dave, erin := app.signUp("dave"), app.signUp("erin")
	sendWith(t, dave, "alice", testPNG(t, 10, 10), "")
	clock.Add(time.Minute)
	sendWith(t, erin, "alice", testPNG(t, 10, 10), "From erin")
	record("GET /api/requests", alice.get("/api/requests"), http.StatusOK)
	record("GET /api/conversations/{username} (a request)", alice.get("/api/conversations/erin"), http.StatusOK)
	record("POST /api/requests/{username}/accept", alice.postJSON("/api/requests/dave/accept", nil), http.StatusOK)
	record("DELETE /api/requests/{username}?block=yes", alice.delete("/api/requests/erin?block=yes"), http.StatusOK)
	record("error 404", alice.get("/api/messages/"+url.PathEscape("0123456789abcdef0123456789abcdef")), http.StatusNotFound)
	// A deleted message tells its two people what happened (410).
	deleted := sendWith(t, bob, "alice", testPNG(t, 8, 8), "")
	must(t, alice.delete("/api/messages/"+deleted).err())
	record("error 410", bob.get("/api/messages/"+deleted), http.StatusGone)
	recordTwoFactor(t, app, clock, record)

	// An album: several images in one send.
	record("POST /api/messages (an album)", alice.postMultipart("/api/messages", field("to", "bob"),
		file("image", "one.png", testPNG(t, 8, 8)), file("image", "two.png", testPNG(t, 9, 9)), field("caption", "Two at once")), http.StatusCreated)

	got, err := json.MarshalIndent(replies, "", "  ")
	must(t, err)
	got = stableIDs(append(got, '\n'))
	path := filepath.Join(repoRoot(t), "react", "test", "fixtures", "api-replies.json")
	if *updateContract {
		must(t, os.WriteFile(path, got, 0o644))
		return
	}
	committed, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Equal(committed, got) {
		t.Fatalf("%s is not what the server answers now; if the change is meant, run\n"+
			"  go test ./app/server -run TestAPIContract -update-contract\n"+
			"and fix the React client where its tests fail. The server answers:\n%s", path, got)
	}
}

// recordTwoFactor records carol's two-factor: on, and a login that asks
// for the code (its token made stable), then the code's answer.
func recordTwoFactor(t *testing.T, app *testApp, clock *clock, record func(string, response, int)) {
	t.Helper()
	carol := app.loginAs("carol", testPassword)
	var enrol struct{ Secret string }
	decode(t, carol.postJSON("/api/settings/two-factor/enrol", nil), &enrol)
	must(t, carol.postJSON("/api/settings/two-factor/confirm", map[string]string{"code": totpCode(t, enrol.Secret, clock.Now())}).err())
	record("GET /api/settings/two-factor", carol.get("/api/settings/two-factor"), http.StatusOK)
	c := app.client()
	r := c.postJSON("/api/login", map[string]string{"username": "carol", "password": testPassword})
	var step struct{ Token string }
	decode(t, r, &step)
	r.body = strings.Replace(r.body, step.Token, "2fa-token", 1)
	record("POST /api/login (two-factor)", r, http.StatusOK)
	r = c.postJSON("/api/login/code", map[string]string{"token": step.Token, "code": totpCode(t, enrol.Secret, clock.Now())})
	record("POST /api/login/code", r, http.StatusOK)
}

type recorded struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// sendWith sends img from c to a username over the API and returns its ID.
func sendWith(t *testing.T, c *client, to string, img []byte, caption string) string {
	t.Helper()
	r := c.postMultipart("/api/messages", field("to", to), file("image", "a.png", img), field("caption", caption))
	if r.status != http.StatusCreated {
		t.Fatalf("send to %s: %d %s", to, r.status, r.body)
	}
	var out struct{ Message struct{ ID string } }
	decode(t, r, &out)
	return out.Message.ID
}

func (r response) err() error {
	if r.status >= 300 {
		return fmt.Errorf("%s: %d %s", r.url, r.status, r.body)
	}
	return nil
}

// randomID is a message ID (32 hex digits) or a user ID (a UUID).
var randomID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}`)

// stableIDs replaces random IDs by numbered ones in order of first
// appearance, so the recording only changes when the contract does.
func stableIDs(doc []byte) []byte {
	ids := map[string]string{}
	return randomID.ReplaceAllFunc(doc, func(id []byte) []byte {
		if _, ok := ids[string(id)]; !ok {
			ids[string(id)] = fmt.Sprintf("%032x", len(ids)+1)
		}
		return []byte(ids[string(id)])
	})
}
