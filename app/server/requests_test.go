package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// requestsOf is GET /api/requests as username → count, with each latest
// checked to be an RFC 3339 time.
func requestsOf(t *testing.T, c *client) map[string]int {
	t.Helper()
	r := c.get("/api/requests")
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/requests: %d %s", r.status, r.body)
	}
	var out struct {
		Requests []struct {
			Username string
			Count    int
			Latest   string
		}
	}
	decode(t, r, &out)
	if out.Requests == nil {
		t.Fatalf("GET /api/requests: %s; want a list, never null", r.body)
	}
	got := map[string]int{}
	for _, q := range out.Requests {
		if _, err := time.Parse(time.RFC3339, q.Latest); err != nil {
			t.Errorf("latest of %s: %q is not RFC 3339", q.Username, q.Latest)
		}
		got[q.Username] = q.Count
	}
	return got
}

// inboxOf is bob's JSON inbox: the IDs in it, and the unread count.
func inboxOf(t *testing.T, c *client) (map[string]bool, int) {
	t.Helper()
	var out struct {
		Messages []struct{ ID string }
		Unread   int
	}
	decode(t, c.get("/api/messages?box=inbox"), &out)
	ids := map[string]bool{}
	for _, m := range out.Messages {
		ids[m.ID] = true
	}
	return ids, out.Unread
}

// conversationFlags is the "request" flag of each message of a JSON
// conversation, by ID, and the reply's body.
func conversationFlags(t *testing.T, c *client, with string) (map[string]bool, string) {
	t.Helper()
	r := c.get("/api/conversations/" + with)
	var out struct {
		Messages []map[string]any
	}
	decode(t, r, &out)
	flags := map[string]bool{}
	for _, m := range out.Messages {
		req, ok := m["request"].(bool)
		if !ok {
			t.Fatalf("conversation with %s: a message without a boolean request: %v", with, m)
		}
		flags[m["id"].(string)] = req
	}
	return flags, r.body
}

// TestMessageRequestsOverJSON: with the setting on, a stranger's image
// waits as a request (not in the inbox, its count or mail, refused when
// opened, no preview); accepting moves it to the inbox unread and makes
// the sender known; someone bob sent to first arrives normally; delete
// removes requests for both; ?block=yes blocks too; unknown names 404.
func TestMessageRequestsOverJSON(t *testing.T) {
	app := startApp(t, t.TempDir(), generousLimits)
	bob := app.signUp("bob")
	alice, carol, dave, erin := app.signUp("alice"), app.signUp("carol"), app.signUp("dave"), app.signUp("erin")

	if got := putPrivacy(t, bob, map[string]bool{"message_requests": true}); !got["message_requests"] || !got["read_receipts"] || !got["listed"] {
		t.Fatalf("PUT message_requests: %v; want it on and the rest kept", got)
	}
	if r := bob.get("/api/me/privacy"); !strings.Contains(r.body, `"message_requests":true`) {
		t.Fatalf("GET /api/me/privacy: %s", r.body)
	}
	sendWith(t, bob, "carol", testPNG(t, 8, 8), "") // bob knows carol now

	mails := app.mailsTo("bob@example.com")
	id := sendWith(t, alice, "bob", testPNG(t, 40, 30), "secret-kiwi")
	known := sendWith(t, carol, "bob", testPNG(t, 8, 8), "")
	app.app.backend.notifying.Wait()
	if n := app.mailsTo("bob@example.com"); n != mails+1 {
		t.Errorf("bob got %d mails; want 1, for carol's image only", n-mails)
	}
	inbox, unread := inboxOf(t, bob)
	if inbox[id] || !inbox[known] || unread != 1 {
		t.Fatalf("bob's inbox: %v, %d unread; want carol's image only, 1 unread", inbox, unread)
	}
	if got := requestsOf(t, bob); len(got) != 1 || got["alice"] != 1 {
		t.Fatalf("GET /api/requests: %v; want alice: 1", got)
	}
	for _, p := range []string{"/api/messages/" + id, "/api/messages/" + id + "/image", "/messages/" + id + "/image"} {
		if r := bob.get(p); r.status != http.StatusForbidden || strings.Contains(r.body, "secret-kiwi") {
			t.Errorf("GET %s of a request: %d; want 403", p, r.status)
		}
	}
	flags, body := conversationFlags(t, bob, "alice")
	if !flags[id] || strings.Contains(body, "secret-kiwi") || strings.Contains(body, `"thumbnail"`) {
		t.Errorf("bob's conversation with alice: %s; want the request marked, no caption nor thumbnail", body)
	}
	if flags, _ := conversationFlags(t, alice, "bob"); flags[id] {
		t.Error("alice's conversation marks her image a request: the sender must not be told")
	}
	if r := alice.get("/api/messages?box=sent"); !strings.Contains(r.body, id) || strings.Contains(r.body, `"request":true`) {
		t.Errorf("alice's sent box: %s; want her image, not marked", r.body)
	}

	r := bob.postJSON("/api/requests/alice/accept", nil)
	if r.status != http.StatusOK || strings.TrimSpace(r.body) != `{"accepted":1}` {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	if inbox, unread := inboxOf(t, bob); !inbox[id] || unread != 2 {
		t.Errorf("after accepting: inbox %v, %d unread; want alice's image, 2 unread", inbox, unread)
	}
	if r := bob.get("/api/messages/" + id); r.status != http.StatusOK || !strings.Contains(r.body, "secret-kiwi") || strings.Contains(r.body, `"request":true`) {
		t.Errorf("opening the accepted image: %d %s", r.status, r.body)
	}
	again := sendWith(t, alice, "bob", testPNG(t, 8, 8), "")
	if inbox, _ := inboxOf(t, bob); !inbox[again] || len(requestsOf(t, bob)) != 0 {
		t.Error("alice's next image after accepting did not arrive as any other")
	}

	// Delete: gone for both.
	d1, d2 := sendWith(t, dave, "bob", testPNG(t, 8, 8), ""), sendWith(t, dave, "bob", testPNG(t, 8, 8), "")
	if r := bob.delete("/api/requests/dave"); r.status != http.StatusOK || strings.TrimSpace(r.body) != `{"deleted":2}` {
		t.Fatalf("DELETE /api/requests/dave: %d %s", r.status, r.body)
	}
	if r := dave.get("/api/messages?box=sent"); strings.Contains(r.body, d1) || strings.Contains(r.body, d2) {
		t.Error("dave's sent box still lists the deleted requests")
	}
	if r := bob.get("/api/requests"); strings.TrimSpace(r.body) != `{"requests":[]}` {
		t.Errorf("GET /api/requests with none: %s", r.body)
	}

	// Block and delete.
	sendWith(t, erin, "bob", testPNG(t, 8, 8), "")
	if r := bob.delete("/api/requests/erin?block=yes"); r.status != http.StatusOK || strings.TrimSpace(r.body) != `{"deleted":1,"blocked":true}` {
		t.Fatalf("DELETE /api/requests/erin?block=yes: %d %s", r.status, r.body)
	}
	if r := bob.get("/api/me/blocked"); !strings.Contains(r.body, `"username":"erin"`) {
		t.Errorf("erin is not blocked: %s", r.body)
	}

	for _, r := range []response{bob.postJSON("/api/requests/nobody/accept", nil), bob.delete("/api/requests/nobody"), bob.delete("/api/requests/nobody?block=yes")} {
		var e struct{ Error struct{ Code string } }
		if r.status != http.StatusNotFound || json.Unmarshal([]byte(r.body), &e) != nil || e.Error.Code == "" {
			t.Errorf("a decision on nobody: %d %s; want a 404 JSON error", r.status, r.body)
		}
	}
}

// TestMessageRequestsForms: the same with JavaScript off — the privacy
// checkbox, the inbox's link, /requests, the conversation's banner with
// placeholders and no reply, the refused message page, and Delete and Block
// asking on a page first.
func TestMessageRequestsForms(t *testing.T) {
	app := startApp(t, t.TempDir(), generousLimits)
	bob := app.signUp("bob")
	alice, carol, dave := app.signUp("alice"), app.signUp("carol"), app.signUp("dave")

	r := bob.postForm("/settings/privacy", url.Values{"read_receipts": {"on"}, "message_requests": {"on"}})
	if r.url != "/settings" || !strings.Contains(r.body, "Privacy settings saved") {
		t.Fatalf("privacy form: %d at %s", r.status, r.url)
	}
	if !checked(r.body, "privacy-message_requests") || checked(r.body, "privacy-listed") || !checked(r.body, "privacy-read_receipts") {
		t.Fatal("the privacy card does not show message requests on, listed off, receipts on")
	}
	if !strings.Contains(r.body, `href="/requests"`) {
		t.Error("the privacy card has no link to /requests")
	}
	if r := bob.get("/requests"); !strings.Contains(r.body, "No message requests.") || !strings.Contains(r.body, `href="/settings#privacy"`) {
		t.Error("/requests with none: want the empty state with a link to the setting")
	}

	id := sendWith(t, alice, "bob", testPNG(t, 40, 30), "hidden-plum")
	if r := bob.get("/inbox"); !strings.Contains(r.body, "Message requests (1)") || strings.Contains(r.body, "hidden-plum") {
		t.Error("bob's inbox: want the requests link and not the request's caption")
	}
	if r := bob.get("/requests"); !strings.Contains(r.body, "alice") || !strings.Contains(r.body, "1 image") ||
		!strings.Contains(r.body, `action="/requests/alice/accept"`) || !strings.Contains(r.body, `action="/requests/alice/block"`) {
		t.Error("/requests does not list alice with her image and the decisions")
	}
	conv := bob.get("/conversations/alice")
	for _, want := range []string{`<span dir="auto">alice</span> is not someone you know`, "Message request", "PNG image", `action="/requests/alice/delete"`} {
		if !strings.Contains(conv.body, want) {
			t.Errorf("bob's conversation with alice lacks %q", want)
		}
	}
	for _, not := range []string{"hidden-plum", "/messages/" + id, "Reply with an image", "data:image/jpeg"} {
		if strings.Contains(conv.body, not) {
			t.Errorf("bob's conversation with alice shows %q while her image is a request", not)
		}
	}
	if r := bob.get("/messages/" + id); r.status != http.StatusForbidden || !strings.Contains(r.body, "message request from alice") ||
		!strings.Contains(r.body, `href="/requests"`) || strings.Contains(r.body, "hidden-plum") {
		t.Errorf("the request's page: %d; want 403 saying why, with a link to /requests", r.status)
	}

	// Delete asks first, on a page; then deletes.
	r = bob.postForm("/requests/alice/delete", url.Values{"back": {"/requests"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "deleted for good") || !strings.Contains(r.body, `name="confirm" value="yes"`) {
		t.Fatalf("delete without confirm: %d %s; want the question", r.status, r.url)
	}
	if requestsOf(t, bob)["alice"] != 1 {
		t.Fatal("asking deleted alice's request")
	}
	r = bob.postForm("/requests/alice/delete", url.Values{"back": {"/requests"}, "confirm": {"yes"}})
	if r.url != "/requests" || !strings.Contains(r.body, "Deleted.") || !strings.Contains(r.body, "No message requests.") {
		t.Errorf("delete: at %s; want /requests, the flash, and none left", r.url)
	}
	if r := alice.get("/api/messages?box=sent"); strings.Contains(r.body, id) {
		t.Error("alice's sent box still lists the deleted request")
	}

	// Block from the conversation's banner: asks, then blocks and deletes.
	sendWith(t, carol, "bob", testPNG(t, 8, 8), "")
	back := url.Values{"back": {"/conversations/carol"}}
	if r := bob.postForm("/requests/carol/block", back); !strings.Contains(r.body, "Block carol and delete") {
		t.Fatalf("block without confirm: %d; want the question", r.status)
	}
	back.Set("confirm", "yes")
	r = bob.postForm("/requests/carol/block", back)
	if r.url != "/conversations/carol" || !strings.Contains(r.body, "Blocked and deleted. They are not told.") || !strings.Contains(r.body, `You block <span dir="auto">carol</span>`) {
		t.Errorf("block: at %s; want the conversation, blocked", r.url)
	}
	if len(requestsOf(t, bob)) != 0 {
		t.Error("carol's request is still there after Block")
	}

	// Accept from the conversation: the image shows, and Reply is back.
	sendWith(t, dave, "bob", testPNG(t, 40, 30), "ripe-fig")
	r = bob.postForm("/requests/dave/accept", url.Values{"back": {"/conversations/dave"}})
	if r.url != "/conversations/dave" || !strings.Contains(r.body, "Accepted. Their images are in your inbox.") ||
		!strings.Contains(r.body, "ripe-fig") || !strings.Contains(r.body, `id="send-form"`) || strings.Contains(r.body, "not someone you know") {
		t.Errorf("accept: at %s; want the conversation with dave's image and the composer", r.url)
	}
	if r := bob.postForm("/requests/nobody/delete", nil); r.status != http.StatusNotFound {
		t.Errorf("delete nobody's requests: %d; want 404", r.status)
	}
}

// checked reports whether the checkbox with this id is checked in page.
func checked(page, id string) bool {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return false
	}
	end := strings.Index(page[i:], ">")
	return strings.Contains(page[i:i+end], "checked")
}

// TestStrangersCannotFillAnInboxThatFriendsStillReach: message requests
// have their own small share of the quota: once strangers' waiting images
// fill it, the next stranger gets 507, while a person the recipient knows
// still gets through.
func TestStrangersCannotFillAnInboxThatFriendsStillReach(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) { c.QuotaBytes = 2 << 20 }) // requests may hold 5 %: about 102 KiB
	alice, bob, carol := app.signUp("alice"), app.signUp("bob"), app.signUp("carol")
	sendAPI(t, bob, "alice", testPNG(t, 8, 8)) // bob knows alice
	if got := putPrivacy(t, bob, map[string]bool{"message_requests": true}); !got["message_requests"] {
		t.Fatalf("bob's privacy: %v; want message requests on", got)
	}

	big := testPNG(t, 300, 300) // about 126 KiB: one fills the allowance
	if r := carol.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", big)); r.status != http.StatusCreated {
		t.Fatalf("a stranger's first request: %d %s; want 201", r.status, r.body)
	}
	r := carol.postMultipart("/api/messages", field("to", "bob"), file("image", "b.png", big))
	if r.status != http.StatusInsufficientStorage {
		t.Errorf("a stranger's request past the allowance: %d %s; want 507", r.status, r.body)
	}
	if r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "c.png", big)); r.status != http.StatusCreated {
		t.Errorf("a friend's image with the requests full: %d %s; want 201", r.status, r.body)
	}
}
