package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"imageapp/app/imageapptest"
	"imageapp/app/valkey/valkeytest"
)

// TestSendRateBudget: a sender past their sends per minute gets a 429 that
// says when to come back, on the API and the HTML form alike; another
// sender is not held up by them.
func TestSendRateBudget(t *testing.T) {
	a := startApp(t, t.TempDir(), func(c *Config) { c.SendPerMinute = 2 })
	alice, carol := a.signUp("alice"), a.signUp("carol")
	a.signUp("bob")
	img := testPNG(t, 8, 8)
	for i := range 2 {
		if r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img)); r.status != http.StatusCreated {
			t.Fatalf("send %d within the budget: %d %s", i+1, r.status, r.body)
		}
	}
	r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img))
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "You have sent a lot of images in a short time; try again in") {
		t.Fatalf("the third send in a minute: %d %s; want a 429 saying when to try again", r.status, r.body)
	}
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 || s > 30 {
		t.Errorf("Retry-After %q, want the 30 s until the next send", r.header.Get("Retry-After"))
	}
	if r := alice.postMultipart("/send", field("to", "bob"), file("image", "a.png", img)); r.status != http.StatusTooManyRequests ||
		!strings.Contains(r.body, "try again in") {
		t.Errorf("the HTML form over the budget: %d; want a 429 with the message", r.status)
	}
	if r := carol.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img)); r.status != http.StatusCreated {
		t.Errorf("another sender was held up by alice's budget: %d %s", r.status, r.body)
	}
}

// TestSendByteBudget: a sender past their upload bytes per hour gets a 429
// whose wait is in minutes, before the upload is stored.
func TestSendByteBudget(t *testing.T) {
	a := startApp(t, t.TempDir(), func(c *Config) {
		c.MaxUploadBytes = 256 << 10
		c.SendBytesPerHour = 256 << 10
	})
	alice := a.signUp("alice")
	a.signUp("bob")
	img := imageapptest.NoisePNGOfSize(100<<10, 1)
	for i := range 2 {
		if r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img)); r.status != http.StatusCreated {
			t.Fatalf("send %d within the byte budget: %d %s", i+1, r.status, r.body)
		}
	}
	r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img))
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "minutes") {
		t.Fatalf("a third 100 KiB send within a 256 KiB hour: %d %s; want a 429 with a wait in minutes", r.status, r.body)
	}
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 60 || s > 3600 {
		t.Errorf("Retry-After %q, want minutes", r.header.Get("Retry-After"))
	}
	var n int
	must(t, a.db.QueryRow(`SELECT count(*) FROM messages`).Scan(&n))
	if n != 2 {
		t.Errorf("%d messages stored, want the 2 within the budget", n)
	}
}

// TestStorageQuota: a send to a recipient whose stored images fill their
// quota is a 507 that names them and what to do; their deleting an image
// makes room again.
func TestStorageQuota(t *testing.T) {
	a := startApp(t, t.TempDir(), func(c *Config) { c.QuotaBytes = 1 })
	alice, bob := a.signUp("alice"), a.signUp("bob")
	img := testPNG(t, 8, 8)
	r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img))
	if r.status != http.StatusCreated {
		t.Fatalf("the first send: %d %s", r.status, r.body)
	}
	r = alice.postMultipart("/api/messages", field("to", "bob"), file("image", "b.png", img))
	if r.status != http.StatusInsufficientStorage || !strings.Contains(r.body, "bob's inbox is full; ask them to delete some images.") {
		t.Fatalf("a send to a full inbox: %d %s; want a 507 saying so", r.status, r.body)
	}
	if r := bob.postMultipart("/api/messages", field("to", "alice"), file("image", "c.png", img)); r.status != http.StatusCreated {
		t.Fatalf("bob's full inbox held up his sending to alice: %d %s", r.status, r.body)
	}
	var id string
	must(t, a.db.QueryRow(`SELECT id FROM messages WHERE recipient_name = 'bob'`).Scan(&id))
	if r := bob.delete("/api/messages/" + id); r.status != http.StatusNoContent {
		t.Fatalf("bob deletes: %d %s", r.status, r.body)
	}
	if r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "b.png", img)); r.status != http.StatusCreated {
		t.Fatalf("a send after bob made room: %d %s", r.status, r.body)
	}
}

// TestSendBudgetHoldsWhileTheSharedStoreIsDown: with the shared limit
// store gone, sending goes on but under this instance's own budget, not
// none (a sender limited to 3 a minute sends 3, then gets a 429), and the
// fallback is logged; a login still fails closed.
func TestSendBudgetHoldsWhileTheSharedStoreIsDown(t *testing.T) {
	store := valkeytest.Start(t)
	a := startApp(t, t.TempDir(), func(c *Config) { c.ValkeyURL = store.URL; c.SendPerMinute = 3 })
	alice := a.signUp("alice")
	a.signUp("bob")
	img := testPNG(t, 8, 8)

	store.Stop()
	var statuses []int
	for range 6 {
		statuses = append(statuses, alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img)).status)
	}
	want := []int{201, 201, 201, 429, 429, 429}
	if !slices.Equal(statuses, want) {
		t.Errorf("six sends in a row with the store down: %v, want %v", statuses, want)
	}
	if !strings.Contains(a.logText(), "this instance's own limits apply") {
		t.Error("the fallback to this instance's limits is not logged")
	}
	if r := a.client().postForm("/api/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}}); r.status != http.StatusServiceUnavailable {
		t.Errorf("a login with the limit store down: %d, want 503 (fail closed)", r.status)
	}
}
