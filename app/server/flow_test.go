package server

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

var messageLink = regexp.MustCompile(`href="/messages/([0-9a-f]{32})"`)

// TestFormFlow is the product with JavaScript off: two people sign up,
// confirm with the code from the outbox, one sends an image through the
// plain form, the other finds it in the inbox and opens it.
func TestFormFlow(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	bob := app.signUp("Bob")

	users := alice.get("/users")
	if !strings.Contains(users.body, "Send an image to Bob") || strings.Contains(users.body, "Send an image to alice") {
		t.Fatalf("alice's people page should list Bob and not herself:\n%s", users.body)
	}

	img := testPNG(t, 40, 30)
	r := alice.postMultipart("/send", field("to", "bob"), file("image", "holiday.png", img), field("caption", "Sea & <sun>"))
	if r.status != http.StatusOK || r.url != "/sent" {
		t.Fatalf("send: got %d at %s, want the sent page: %s", r.status, r.url, r.body)
	}
	if !strings.Contains(r.body, "Delivered") {
		t.Errorf("the sent page should say Bob has not opened it yet:\n%s", r.body)
	}

	inbox := bob.get("/inbox")
	if !strings.Contains(inbox.body, `href="/conversations/alice#latest"`) || !strings.Contains(inbox.body, "1 new") {
		t.Fatalf("Bob's inbox should show one new image from alice:\n%s", inbox.body)
	}
	if !strings.Contains(inbox.body, `aria-label="1 unread message"`) {
		t.Errorf("the nav should count 1 unread message")
	}
	conversation := bob.get("/conversations/alice")
	m := messageLink.FindStringSubmatch(conversation.body)
	if m == nil {
		t.Fatalf("no message link in the conversation with alice:\n%s", conversation.body)
	}
	page := bob.get("/messages/" + m[1])
	if page.status != http.StatusOK || !strings.Contains(page.body, "Sea &amp; &lt;sun&gt;") || !strings.Contains(page.body, "holiday.png") {
		t.Fatalf("message page: got %d, want the escaped caption and file name:\n%s", page.status, page.body)
	}
	got := bob.get("/messages/" + m[1] + "/image")
	if got.status != http.StatusOK || !bytes.Equal([]byte(got.body), img) {
		t.Fatalf("image: got %d and %d bytes, want the %d original bytes", got.status, len(got.body), len(img))
	}
	if ct := got.header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("image Content-Type = %q, want image/png", ct)
	}
	if cc := got.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("image Cache-Control = %q, want no-store", cc)
	}
	if inbox := bob.get("/inbox"); strings.Contains(inbox.body, "(unread)") {
		t.Errorf("opening the message should mark it read")
	}
	if sent := alice.get("/sent"); !strings.Contains(sent.body, "Opened") {
		t.Errorf("alice's sent page should show the image was opened")
	}

	r = bob.postForm("/messages/"+m[1]+"/delete", url.Values{"confirm": {"yes"}})
	if r.status != http.StatusOK || r.url != "/inbox" || !strings.Contains(r.body, "The image was deleted.") {
		t.Fatalf("delete: got %d at %s", r.status, r.url)
	}
	if r := bob.get("/messages/" + m[1]); r.status != http.StatusGone || !strings.Contains(r.body, "You deleted this image.") {
		t.Errorf("a deleted message should be 410 saying so, got %d", r.status)
	}

	r = bob.postForm("/logout", nil)
	if r.url != "/login" {
		t.Errorf("logout should land on the login page, got %s", r.url)
	}
	if r := bob.get("/inbox"); r.url != "/login" {
		t.Errorf("after logout the inbox should send to login, got %s", r.url)
	}
}

// TestAPIFlow is the same product through the JSON routes the React client uses.
func TestAPIFlow(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.client(), app.client()
	for _, p := range []struct {
		c    *client
		name string
	}{{alice, "alice"}, {bob, "bob"}} {
		email := p.name + "@example.org"
		if r := p.c.postJSON("/api/signup", map[string]string{"username": p.name, "email": email, "password": "0123456789"}); r.status != http.StatusCreated {
			t.Fatalf("signup %s: %d %s", p.name, r.status, r.body)
		}
		if r := p.c.postJSON("/api/login", map[string]string{"username": p.name, "password": "0123456789"}); r.status != http.StatusForbidden || !strings.Contains(r.body, `"unconfirmed"`) {
			t.Fatalf("login before confirming: want 403 unconfirmed, got %d %s", r.status, r.body)
		}
		if r := p.c.postJSON("/api/verify", map[string]string{"username": p.name, "code": app.codeFor(email)}); r.status != http.StatusOK {
			t.Fatalf("verify %s: %d %s", p.name, r.status, r.body)
		}
		if r := p.c.postJSON("/api/login", map[string]string{"username": p.name, "password": "0123456789"}); r.status != http.StatusOK {
			t.Fatalf("login %s: %d %s", p.name, r.status, r.body)
		}
	}
	var me struct {
		User struct{ Username string } `json:"user"`
	}
	decode(t, alice.get("/api/me"), &me)
	if me.User.Username != "alice" {
		t.Fatalf("/api/me: got %q", me.User.Username)
	}
	var users struct {
		Users []struct{ Username string } `json:"users"`
	}
	decode(t, alice.get("/api/users?q=bo"), &users)
	if len(users.Users) != 1 || users.Users[0].Username != "bob" {
		t.Fatalf("/api/users?q=bo: got %+v", users.Users)
	}

	img := testPNG(t, 16, 16)
	// The file first, as `curl -F image=@cat.png -F to=bob` sends it.
	r := alice.postMultipart("/api/messages", file("image", "cat.png", img), field("to", "bob"), field("caption", "meow"))
	if r.status != http.StatusCreated {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	var sent struct {
		Message struct{ ID string } `json:"message"`
	}
	decode(t, r, &sent)

	var list struct {
		Messages []struct {
			ID     string
			From   struct{ Username string }
			ReadAt *string `json:"read_at"`
		}
		Unread int
	}
	decode(t, bob.get("/api/messages?box=inbox&status=unread"), &list)
	if list.Unread != 1 || len(list.Messages) != 1 || list.Messages[0].ID != sent.Message.ID || list.Messages[0].From.Username != "alice" {
		t.Fatalf("bob's unread inbox: %+v", list)
	}
	var opened struct {
		Message struct {
			Caption, Filename string
			ImageURL          string `json:"image_url"`
		}
	}
	decode(t, bob.get("/api/messages/"+sent.Message.ID), &opened)
	if opened.Message.Caption != "meow" || opened.Message.Filename != "cat.png" {
		t.Fatalf("opened: %+v", opened.Message)
	}
	if got := bob.get(opened.Message.ImageURL); !bytes.Equal([]byte(got.body), img) {
		t.Fatalf("image bytes differ")
	}
	decode(t, bob.get("/api/messages?status=unread"), &list)
	if list.Unread != 0 || len(list.Messages) != 0 {
		t.Fatalf("after opening, nothing should be unread: %+v", list)
	}
	if r := bob.delete("/api/messages/" + sent.Message.ID); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := alice.get("/api/messages/" + sent.Message.ID); r.status != http.StatusGone || !strings.Contains(r.body, `"code":"deleted"`) {
		t.Fatalf("after delete the sender gets %d %s, want 410 deleted", r.status, r.body)
	}
	if r := alice.postJSON("/api/logout", nil); r.status != http.StatusNoContent {
		t.Fatalf("logout: %d", r.status)
	}
	if r := alice.get("/api/me"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, `"unauthorized"`) {
		t.Fatalf("after logout /api/me: %d %s", r.status, r.body)
	}
}

// TestRestart stops the server and starts a new one on the same data dir:
// accounts, sessions keys and messages survive, and the image still opens.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	first := startApp(t, dir)
	alice := first.signUp("alice")
	first.signUp("bob")
	img := testPNG(t, 20, 20)
	if r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img)); r.status != http.StatusCreated {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	first.stop()

	second := startApp(t, dir)
	bob := second.client()
	if r := bob.postForm("/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}}); r.url != "/inbox" {
		t.Fatalf("login after restart: %d at %s", r.status, r.url)
	}
	var list struct{ Messages []struct{ ID string } }
	decode(t, bob.get("/api/messages"), &list)
	if len(list.Messages) != 1 {
		t.Fatalf("after restart bob has %d messages, want 1", len(list.Messages))
	}
	if got := bob.get("/api/messages/" + list.Messages[0].ID + "/image"); !bytes.Equal([]byte(got.body), img) {
		t.Fatalf("after restart the image does not open to its bytes (status %d)", got.status)
	}
}

func decode(t *testing.T, r response, v any) {
	t.Helper()
	if r.status >= 300 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// TestUnreadCountStops: past imageapp.MaxUnreadCount the count stops (so it
// costs one bounded query on every backend) and pages say "99+".
func TestUnreadCountStops(t *testing.T) {
	app := startApp(t, t.TempDir())
	app.signUp("alice")
	bob := app.signUp("bob")
	send := func(n int) { app.sendDirect("alice", "bob", n) }
	badge := regexp.MustCompile(`aria-label="([^"]*unread[^"]*)">([^<]*)<`)
	check := func(wantCount int, wantBadge, wantLabel string) {
		t.Helper()
		var me struct{ Unread int }
		decode(t, bob.get("/api/me"), &me)
		m := badge.FindStringSubmatch(bob.get("/inbox").body)
		if me.Unread != wantCount || m == nil || m[2] != wantBadge || m[1] != wantLabel {
			t.Fatalf("unread %d, badge %q; want %d, %q (%q)", me.Unread, m, wantCount, wantBadge, wantLabel)
		}
	}
	send(imageapp.MaxUnreadCount - 1)
	check(imageapp.MaxUnreadCount-1, "99", "99 unread messages")
	send(5)
	check(imageapp.MaxUnreadCount, "99+", "more than 99 unread messages")
}

// TestInboxPagesReachEveryMessage: more unread messages than one page holds
// and more read ones than one page holds are all reachable by following the
// inbox's links, and each page's htmx refresh reloads that page, not page 1.
func TestInboxPagesReachEveryMessage(t *testing.T) {
	app := startApp(t, t.TempDir())
	app.signUp("alice")
	bob := app.signUp("bob")
	send := func(n int) []string { return app.sendDirect("alice", "bob", n) }
	read := send(60)
	for _, id := range read {
		if r := bob.get("/api/messages/" + id); r.status != http.StatusOK {
			t.Fatalf("open %s: %d", id, r.status)
		}
	}
	unread := send(messaging.MaxPageSize + 5)

	// Inbox pages list people; each person's conversation pages back to
	// their first image.
	pageLink := regexp.MustCompile(`href="(/inbox\?(?:new|cursor)=[^"]+|/conversations/[^"]+)"`)
	refresh := regexp.MustCompile(`hx-get="([^"]*)"`)
	seen := map[string]bool{}
	queue, visited := []string{"/inbox"}, map[string]bool{}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if visited[path] {
			continue
		}
		visited[path] = true
		r := bob.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.status)
		}
		if m := refresh.FindStringSubmatch(r.body); m == nil || (strings.HasPrefix(path, "/inbox") && html.UnescapeString(m[1]) != path) {
			t.Fatalf("%s refreshes itself from %q", path, m)
		}
		for _, m := range messageLink.FindAllStringSubmatch(r.body, -1) {
			seen[m[1]] = true
		}
		for _, m := range pageLink.FindAllStringSubmatch(r.body, -1) {
			queue = append(queue, html.UnescapeString(m[1]))
		}
	}
	for _, id := range append(read, unread...) {
		if !seen[id] {
			t.Fatalf("message %s is on no page the inbox leads to (%d of %d reachable over %d pages)", id, len(seen), len(read)+len(unread), len(visited))
		}
	}
	t.Logf("%d messages over %d pages", len(seen), len(visited))
	if r := bob.get("/inbox?new=abc&cursor=def"); r.status != http.StatusBadRequest {
		t.Errorf("an inbox page with both cursors: %d, want 400", r.status)
	}
}

// TestCaptionLineBreaks: a form sends a textarea's line breaks as CRLF; they
// count as one character each, as in the browser, and are kept as "\n".
func TestCaptionLineBreaks(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	caption := strings.Repeat("line\r\n", 90) // 540 bytes as sent, 449 characters as typed
	r := alice.postMultipart("/api/messages", field("to", "bob"), field("caption", caption), file("image", "a.png", testPNG(t, 8, 8)))
	if r.status != http.StatusCreated {
		t.Fatalf("a 449-character caption with line breaks: got %d %s", r.status, r.body)
	}
	var sent struct{ Message struct{ ID string } }
	decode(t, r, &sent)
	var got struct{ Message struct{ Caption string } }
	decode(t, bob.get("/api/messages/"+sent.Message.ID), &got)
	if want := strings.TrimSpace(strings.Repeat("line\n", 90)); got.Message.Caption != want {
		t.Fatalf("caption %q, want %q", got.Message.Caption, want)
	}
}

// TestSenderViewsSentImage: the sender opening an image they sent sees it as
// sent ("to bob", under Sent) and, deleting it, lands back on Sent. HEAD on
// the image answers its headers only; a wrong method says which are right.
func TestSenderViewsSentImage(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, _ := app.signUp("alice"), app.signUp("bob")
	var sent struct{ Message struct{ ID string } }
	decode(t, alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", testPNG(t, 8, 8))), &sent)
	id := sent.Message.ID

	page := alice.get("/messages/" + id)
	for _, want := range []string{"<title>Image to bob", `href="/sent" aria-current="page"`, `name="back" value="/sent"`, `href="/conversations/bob#latest"`, `All images with <span dir="auto">bob</span>`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the sender's view of the message lacks %q", want)
		}
	}

	head, _ := http.NewRequest(http.MethodHead, app.server.URL+"/messages/"+id+"/image", nil)
	if r := alice.do(head); r.status != http.StatusOK || r.header.Get("Content-Length") == "" || r.body != "" {
		t.Errorf("HEAD on the image: %d, Content-Length %q, %d body bytes\n%s", r.status, r.header.Get("Content-Length"), len(r.body), app.logText())
	}
	if r := alice.get("/logout"); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
		t.Errorf("GET /logout: %d with Allow %q, want 405 with Allow: POST", r.status, r.header.Get("Allow"))
	} else if !strings.Contains(r.body, `action="/logout"`) || !strings.Contains(r.body, "Log out?") || strings.Contains(r.body, "is not allowed here") {
		// A bookmarked /logout speaks to people and offers the button, with the logged-in header.
		t.Errorf("GET /logout does not offer the logout button in plain words:\n%.600s", r.body)
	}
	if r := app.client().get("/logout"); !strings.Contains(r.body, "You are logged out") {
		t.Errorf("GET /logout without a session: %.300s", r.body)
	}
	if r := alice.postJSON("/api/messages/"+id+"/image", nil); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST on the image: %d with Allow %q, want 405 with Allow: GET, HEAD", r.status, r.header.Get("Allow"))
	}

	r := alice.postForm("/messages/"+id+"/delete", url.Values{"back": {"/sent"}, "confirm": {"yes"}})
	if r.status != http.StatusOK || r.url != "/sent" || !strings.Contains(r.body, "The image was deleted.") {
		t.Fatalf("the sender's delete: got %d at %s", r.status, r.url)
	}
}
