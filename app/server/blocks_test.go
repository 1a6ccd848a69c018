package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBlockingOverHTTP: bob blocks alice from their conversation; her send
// still answers 201 and sits in her Sent box, but bob is not notified and
// never sees it; unblocked, her next image reaches him.
func TestBlockingOverHTTP(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	app.signUp("carol")
	sendWithCaption(t, alice, "bob", "before")
	r := bob.postForm("/people/alice/block", url.Values{"back": {"/conversations/alice"}})
	if r.status != http.StatusOK || r.url != "/conversations/alice" || !strings.Contains(r.body, `You block <span dir="auto">alice</span>`) {
		t.Fatalf("block: %d at %s; want the conversation with the blocked banner", r.status, r.url)
	}
	app.app.backend.notifying.Wait() // the first image's mail is sent after its answer: count it in
	mails := app.mailsTo("bob@example.com")
	sendWithCaption(t, alice, "bob", "withheld-zebra")
	app.app.backend.notifying.Wait()
	if n := app.mailsTo("bob@example.com"); n != mails {
		t.Errorf("bob got %d notification mails for a withheld image; want none", n-mails)
	}
	if r := alice.get("/sent"); !strings.Contains(r.body, "Delivered") {
		t.Error("alice's Sent page does not list her image as any other")
	}
	if r := alice.get("/conversations/bob"); !strings.Contains(r.body, "withheld-zebra") {
		t.Error("alice's conversation with bob lacks her withheld image")
	}
	for _, p := range []string{"/inbox", "/api/messages?box=inbox", "/conversations/alice"} {
		if r := bob.get(p); strings.Contains(r.body, "withheld-zebra") {
			t.Errorf("bob's %s shows the withheld image", p)
		}
	}
	if r := bob.get("/settings"); !strings.Contains(r.body, `action="/people/alice/unblock"`) {
		t.Error("bob's settings do not list alice as blocked")
	}
	if r := bob.postForm("/people/alice/unblock", url.Values{"back": {"/settings"}}); r.url != "/settings" || !strings.Contains(r.body, "Unblocked") {
		t.Errorf("unblock: %d at %s", r.status, r.url)
	}
	sendWithCaption(t, alice, "bob", "after-zebra")
	if r := bob.get("/api/messages?box=inbox"); !strings.Contains(r.body, "after-zebra") || strings.Contains(r.body, "withheld-zebra") {
		t.Error("after unblocking: want alice's new image and still not the withheld one")
	}
	// The JSON twins.
	req, _ := http.NewRequest(http.MethodPut, app.server.URL+"/api/blocks/carol", nil)
	if r := bob.do(req); r.status != http.StatusNoContent {
		t.Errorf("PUT /api/blocks/carol: %d %s", r.status, r.body)
	}
	if r := bob.get("/api/me/blocked"); !strings.Contains(r.body, `"username":"carol"`) {
		t.Errorf("GET /api/me/blocked: %s", r.body)
	}
	req, _ = http.NewRequest(http.MethodPut, app.server.URL+"/api/blocks/nobody", nil)
	if r := bob.do(req); r.status != http.StatusNotFound {
		t.Errorf("blocking nobody: %d; want 404", r.status)
	}

}
