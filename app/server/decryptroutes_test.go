package server

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// decryptSpy is the Keys port with every Decrypt's encryption context
// written down, so a test can match each unwrap with its record entry.
type decryptSpy struct {
	imageapp.Keys
	mu   sync.Mutex
	seen []map[string]string
}

func (s *decryptSpy) Decrypt(ctx context.Context, keyID string, ciphertext []byte, encCtx map[string]string) ([]byte, error) {
	s.mu.Lock()
	s.seen = append(s.seen, maps.Clone(encCtx))
	s.mu.Unlock()
	return s.Keys.Decrypt(ctx, keyID, ciphertext, encCtx)
}

func (s *decryptSpy) since(n int) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen[n:])
}

// TestEveryRouteThatDecryptsIsRecorded walks the whole route table as bob,
// on images alice sent him (a kept one and a view-once one for each route
// that takes a message), and after each request matches every key the
// server unwrapped with an entry of the same encryption context in its
// owner's record. A new route, or a new path behind an old one, that opens
// a key without writing the record fails here; so does a walk that
// decrypts nothing (the table was not walked).
func TestEveryRouteThatDecryptsIsRecorded(t *testing.T) {
	spy := &decryptSpy{}
	a := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) { spy.Keys = p.Keys; p.Keys = spy })
	a.signUp("alice")
	a.signUp("bob")
	bob := a.loginAs("bob", "correct horse battery")
	users := map[string]string{}
	for _, name := range []string{"alice", "bob"} {
		u, err := a.backend.Users.UserByUsername(context.Background(), name)
		must(t, err)
		users[name] = u.ID
	}
	alice, err := a.backend.Users.UserByUsername(context.Background(), "alice")
	must(t, err)
	send := func(keep string) string {
		m, err := a.app.Messaging().Send(context.Background(), alice, messaging.SendInput{To: "bob", Caption: "walk", Keep: keep, Body: strings.NewReader(string(testPNG(t, 8, 8)))})
		must(t, err)
		a.previewsMade()
		return m.ID
	}

	var table []struct{ method, pattern string }
	r := chi.NewRouter()
	a.app.routes(r)
	must(t, chi.Walk(r, func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if strings.HasPrefix(pattern, "/api/me/") {
			return nil // the settings' former names: the handlers of /api/settings/ (TestSettingsRouteNames)
		}
		table = append(table, struct{ method, pattern string }{method, pattern})
		return nil
	}))
	// What ends bob's session or account, or blocks alice, goes last, so
	// the rest are asked by a signed-in bob who takes her images.
	last := func(p string) bool {
		return strings.Contains(p, "logout") || strings.Contains(p, "delete") || p == "/api/me" ||
			strings.Contains(p, "/sessions") || strings.Contains(p, "block")
	}
	slices.SortStableFunc(table, func(x, y struct{ method, pattern string }) int {
		switch lx, ly := last(x.pattern) || x.method == http.MethodDelete, last(y.pattern) || y.method == http.MethodDelete; {
		case lx == ly:
			return 0
		case lx:
			return 1
		}
		return -1
	})

	entries := map[string]int{} // owner → entries seen so far
	newEntries := func() []imageapp.DecryptEntry {
		a.app.DecryptRecords().Wait()
		var out []imageapp.DecryptEntry
		for _, id := range users {
			got, err := a.backend.records.RecordEntries(context.Background(), id, 0, 100000)
			must(t, err)
			// Newest first: the ones past what was seen before.
			out = append(out, got[:len(got)-entries[id]]...)
			entries[id] = len(got)
		}
		return out
	}
	send("keep") // for the lists and the exports
	newEntries()
	decrypting := map[string]int{}
	for _, rt := range table {
		var ids []string
		if strings.Contains(rt.pattern, "{id}") {
			ids = []string{send("keep"), send("once")}
			newEntries() // their previews' entries are not the route's
		} else {
			ids = []string{""}
		}
		for _, id := range ids {
			path := strings.NewReplacer("{id}", id, "{username}", "alice", "{sid}", "s-nosuch", "/*", "/").Replace(rt.pattern)
			before := len(spy.since(0))
			body, ctype := "", "application/x-www-form-urlencoded"
			if strings.HasPrefix(path, "/api/") {
				body, ctype = "{}", "application/json"
			}
			req, _ := http.NewRequest(rt.method, a.server.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", ctype)
			if rt.pattern == "/events" || rt.pattern == "/api/events" {
				continue // a stream never ends by itself; it decrypts nothing (TestLiveEventCarriesThePreview reads its previews)
			}
			if resp := bob.do(req); resp.status == http.StatusUnauthorized {
				// A route before this one ended bob's session: again, signed in.
				bob = a.loginAs("bob", "correct horse battery")
				req, _ = http.NewRequest(req.Method, req.URL.String(), strings.NewReader(body))
				req.Header.Set("Content-Type", ctype)
				bob.do(req)
			}
			unwrapped := spy.since(before)
			recorded := newEntries()
			if len(unwrapped) > 0 {
				decrypting[rt.method+" "+rt.pattern] += len(unwrapped)
			}
			for _, ctx := range unwrapped {
				i := slices.IndexFunc(recorded, func(e imageapp.DecryptEntry) bool { return maps.Equal(e.Context, ctx) })
				if i < 0 {
					t.Errorf("%s %s unwrapped a key (context %v) with no entry in its owner's record", rt.method, path, ctx)
					continue
				}
				recorded = slices.Delete(recorded, i, i+1)
			}
		}
	}
	t.Logf("%d routes walked; the ones that unwrapped keys: %v", len(table), decrypting)
	for _, want := range []string{"GET /api/messages/{id}/image", "GET /messages/{id}", "POST /settings/export", "POST /api/settings/export"} {
		if decrypting[want] == 0 {
			t.Errorf("%s unwrapped no key: the walk did not reach what it checks (%v)", want, decrypting)
		}
	}
	if len(table) < 60 {
		t.Errorf("only %d routes walked: %s", len(table), fmt.Sprint(table))
	}
}

// TestTwoFactorUnwrapsAreRecorded: checking a two-factor code unwraps the
// key of the sealed secret with the user's key; each such unwrap (at
// enrolment, at a sign-in, right or wrong) has its entry in the user's
// record, with the same encryption context, and the settings page says so
// in words. The record holds every use of a user's key, not only images'.
func TestTwoFactorUnwrapsAreRecorded(t *testing.T) {
	spy := &decryptSpy{}
	clk := newClock()
	a := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) { spy.Keys = p.Keys; p.Keys = spy }, withClock(clk))
	alice := a.signUp("alice")
	secret, _ := enrolPage(t, alice, clk)
	alice.postForm("/logout", nil)
	clk.Add(refill)
	c := a.client()
	token := passwordStep(t, c, "alice", false)
	codeStep(c, token, "000000")
	if r := codeStep(c, token, totpCode(t, secret, clk.Now())); !signedIn(c) {
		t.Fatalf("sign in with the code: %d at %s", r.status, r.url)
	}

	a.app.DecryptRecords().Wait()
	u, err := a.backend.Users.UserByUsername(context.Background(), "alice")
	must(t, err)
	entries, err := a.backend.records.RecordEntries(context.Background(), u.ID, 0, 1000)
	must(t, err)
	var unwraps int
	for _, ctx := range spy.since(0) {
		if ctx["purpose"] != "totp" {
			continue
		}
		unwraps++
		i := slices.IndexFunc(entries, func(e imageapp.DecryptEntry) bool {
			return maps.Equal(e.Context, ctx) && e.Purpose == imageapp.PurposeTwoFactor && e.MessageID == imageapp.RecordTwoFactor
		})
		if i < 0 {
			t.Errorf("a two-factor unwrap (context %v) has no entry in alice's record", ctx)
			continue
		}
		entries = slices.Delete(entries, i, i+1)
	}
	if unwraps < 3 {
		t.Errorf("%d two-factor unwraps seen; want one each for the confirmation and the two codes tried at sign-in", unwraps)
	}
	if r := c.get("/settings/record"); !strings.Contains(r.body, "Your two-factor secret was opened to check a code") {
		t.Errorf("the record page does not say the two-factor secret was opened: %s", snippet(r.body))
	}
}
