package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func (c *client) putJSON(path string, v any) response {
	c.t.Helper()
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPut, c.app.server.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// putPrivacy sets settings through the JSON twin and returns the reply.
func putPrivacy(t *testing.T, c *client, settings map[string]bool) map[string]bool {
	t.Helper()
	r := c.putJSON("/api/me/privacy", settings)
	if r.status != http.StatusOK {
		t.Fatalf("PUT /api/me/privacy %v: %d %s", settings, r.status, r.body)
	}
	var out struct{ Privacy map[string]bool }
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Privacy
}

// readAtEverywhere is the read_at alice's JSON replies give message id:
// her sent box, the message, and the conversation with bob ("" for null).
func readAtEverywhere(t *testing.T, c *client, id, with string) []string {
	t.Helper()
	var got []string
	find := func(path string, list func([]byte) []map[string]any) {
		r := c.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		for _, m := range list([]byte(r.body)) {
			if m["id"] == id {
				s, _ := m["read_at"].(string)
				got = append(got, s)
			}
		}
	}
	messages := func(b []byte) []map[string]any {
		var out struct{ Messages []map[string]any }
		json.Unmarshal(b, &out)
		return out.Messages
	}
	find("/api/messages?box=sent", messages)
	find("/api/messages/"+id, func(b []byte) []map[string]any {
		var out struct{ Message map[string]any }
		json.Unmarshal(b, &out)
		return []map[string]any{out.Message}
	})
	find("/api/conversations/"+with, messages)
	if len(got) != 3 {
		t.Fatalf("message %s was in %d of the 3 replies", id, len(got))
	}
	return got
}

func allEmpty(v []string) bool { return strings.Join(v, "") == "" }

// TestReadReceiptsOff: when the recipient turns read receipts off, the
// sender sees "Delivered" and a null read_at everywhere (JSON and pages),
// while the recipient's own read state works; with the sender's own
// receipts off, they see no one's either; on again shows it again.
func TestReadReceiptsOff(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	id := sendAPI(t, alice, "bob", testPNG(t, 8, 8))

	if got := putPrivacy(t, bob, map[string]bool{"read_receipts": false}); got["read_receipts"] || !got["listed"] {
		t.Errorf("PUT read_receipts false answered %v; want receipts off, still listed", got)
	}
	if r := bob.get("/api/me/privacy"); !strings.Contains(r.body, `"read_receipts":false`) || !strings.Contains(r.body, `"listed":true`) {
		t.Errorf("GET /api/me/privacy = %s", r.body)
	}
	if r := bob.get("/api/messages/" + id); !strings.Contains(r.body, `"read_at":"`) {
		t.Errorf("bob opened it and his own reply has no read_at: %s", r.body)
	}
	if r := bob.get("/api/me"); !strings.Contains(r.body, `"unread":0`) {
		t.Errorf("bob's unread count after opening: %s", r.body)
	}
	if got := readAtEverywhere(t, alice, id, "bob"); !allEmpty(got) {
		t.Errorf("bob has receipts off; alice's read_at = %q, want null everywhere", got)
	}
	for _, path := range []string{"/sent", "/messages/" + id, "/conversations/bob"} {
		if body := pageText(alice.get(path).body); !strings.Contains(body, "Delivered") || strings.Contains(body, "Opened") {
			t.Errorf("alice's %s should say Delivered, never Opened: %q", path, body)
		}
	}

	putPrivacy(t, bob, map[string]bool{"read_receipts": true})
	if got := readAtEverywhere(t, alice, id, "bob"); got[0] == "" || got[1] == "" || got[2] == "" {
		t.Errorf("both have receipts on; alice's read_at = %q, want the time everywhere", got)
	}
	if body := pageText(alice.get("/sent").body); !strings.Contains(body, "Opened") {
		t.Errorf("both have receipts on; alice's sent page should say Opened: %q", body)
	}

	putPrivacy(t, alice, map[string]bool{"read_receipts": false})
	if got := readAtEverywhere(t, alice, id, "bob"); !allEmpty(got) {
		t.Errorf("alice has receipts off; her read_at = %q, want null everywhere", got)
	}
}

// TestHiddenFromDirectory: the settings form (JavaScript off) hides bob
// from the people page, its search and /api/users; alice can still send to
// his exact username. The form shows what is stored.
func TestHiddenFromDirectory(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	app.signUp("bobby")

	page := bob.get("/settings")
	for _, want := range []string{`action="/settings/privacy"`, `name="read_receipts" value="on" checked`, `name="listed" value="on" checked`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("bob's settings page lacks %s", want)
		}
	}
	r := bob.postForm("/settings/privacy", url.Values{"read_receipts": {"on"}}) // "listed" unchecked: not posted
	if r.status != http.StatusOK || r.url != "/settings" || !strings.Contains(r.body, "Privacy settings saved.") {
		t.Fatalf("save privacy: %d at %s", r.status, r.url)
	}
	if !strings.Contains(r.body, `name="read_receipts" value="on" checked`) || strings.Contains(r.body, `name="listed" value="on" checked`) {
		t.Errorf("after saving, the form should show receipts on and listed off")
	}

	for _, path := range []string{"/users", "/users?q=bo", "/api/users", "/api/users?q=BO"} {
		body := alice.get(path).body
		if strings.Contains(body, `"username":"bob"`) || strings.Contains(body, `aria-label="Send an image to bob"`) {
			t.Errorf("%s lists hidden bob", path)
		}
		if !strings.Contains(body, "bobby") {
			t.Errorf("%s should still list bobby", path)
		}
	}
	if r := alice.postMultipart("/send", field("to", "bob"), file("image", "p.png", testPNG(t, 8, 8))); r.status != http.StatusOK || r.url != "/sent" {
		t.Errorf("a send to hidden bob's exact username: %d at %s", r.status, r.url)
	}
	if r := alice.postMultipart("/api/messages", field("to", "BOB"), file("image", "p.png", testPNG(t, 8, 8))); r.status != http.StatusCreated {
		t.Errorf("a JSON send to hidden bob: %d %s", r.status, r.body)
	}

	req, _ := http.NewRequest(http.MethodPut, bob.app.server.URL+"/api/me/privacy", strings.NewReader("listed=on"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := bob.do(req); r.status != http.StatusUnsupportedMediaType {
		t.Errorf("PUT /api/me/privacy as a form: %d; want 415", r.status)
	}
	putPrivacy(t, bob, map[string]bool{"listed": true})
	if body := alice.get("/api/users?q=bo").body; !strings.Contains(body, `"username":"bob"`) {
		t.Errorf("bob is listed again and /api/users?q=bo lacks him: %s", body)
	}
}
