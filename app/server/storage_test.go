package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestAFullStorageIsToldWithALinkToRequests: when a stranger's images
// (message requests bob has not seen) fill bob's storage, so that sends to
// him are refused, his inbox page and /api/me say so and point him to his
// message requests.
func TestAFullStorageIsToldWithALinkToRequests(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) { c.QuotaBytes = 1 })
	alice, bob := app.signUp("alice"), app.signUp("bob")
	if r := bob.putJSON("/api/me/privacy", map[string]bool{"message_requests": true}); r.status != http.StatusOK {
		t.Fatalf("bob turns message requests on: %d %s", r.status, r.body)
	}
	var me struct {
		Storage struct {
			UsedBytes    int64 `json:"used_bytes"`
			QuotaBytes   int64 `json:"quota_bytes"`
			Full         bool  `json:"full"`
			RequestBytes int64 `json:"request_bytes"`
		} `json:"storage"`
	}
	must(t, json.Unmarshal([]byte(bob.get("/api/me").body), &me))
	if me.Storage.Full || me.Storage.QuotaBytes != 1 {
		t.Errorf("bob's storage before any image: %+v; want not full, quota 1", me.Storage)
	}
	if strings.Contains(bob.get("/inbox").body, `id="storage-full"`) {
		t.Errorf("bob's inbox says his storage is full before any image")
	}

	sendAPI(t, alice, "bob", testPNG(t, 8, 8)) // a request, and bob's storage is full
	if r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "b.png", testPNG(t, 9, 9))); r.status != http.StatusInsufficientStorage {
		t.Fatalf("a send to bob's full storage: %d; want 507", r.status)
	}
	must(t, json.Unmarshal([]byte(bob.get("/api/me").body), &me))
	if !me.Storage.Full || me.Storage.RequestBytes <= 0 || me.Storage.RequestBytes != me.Storage.UsedBytes {
		t.Errorf("bob's full storage in /api/me: %+v; want full, all of it requests", me.Storage)
	}
	page := bob.get("/inbox")
	notice, _, _ := strings.Cut(page.body[strings.Index(page.body, `id="storage-full"`)+1:], "</div>")
	if !strings.Contains(page.body, `id="storage-full"`) || !strings.Contains(notice, "is full") || !strings.Contains(notice, `href="/requests"`) {
		t.Errorf("bob's inbox with his storage full: no notice that says so with a link to /requests: %.3000s", page.body)
	}
}
