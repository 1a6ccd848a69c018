package server

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"imageapp/app/webpush"
)

// localPush is a push service on this machine (https, as browsers' are):
// it keeps what each endpoint path receives and answers each path's status.
type localPush struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies map[string][][]byte
	auth   map[string]string // the last Authorization header by path
	status map[string]int
}

func newLocalPush(t *testing.T) *localPush {
	p := &localPush{bodies: map[string][][]byte{}, auth: map[string]string{}, status: map[string]int{}}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.bodies[r.URL.Path] = append(p.bodies[r.URL.Path], body)
		p.auth[r.URL.Path] = r.Header.Get("Authorization")
		w.WriteHeader(max(p.status[r.URL.Path], http.StatusCreated))
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *localPush) received(path string) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bodies[path]
}

// pushBrowser is a subscribed browser: the keys the push service's
// messages are encrypted for.
type pushBrowser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newPushBrowser(t *testing.T) pushBrowser {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return pushBrowser{key: key, auth: auth}
}

// subscription is what the browser's PushSubscription.toJSON() gives.
func (b pushBrowser) subscription(endpoint string) map[string]any {
	enc := base64.RawURLEncoding.EncodeToString
	return map[string]any{"endpoint": endpoint, "expirationTime": nil,
		"keys": map[string]string{"p256dh": enc(b.key.PublicKey().Bytes()), "auth": enc(b.auth)}}
}

// open decrypts a push message as the browser does (RFC 8291 over RFC
// 8188's aes128gcm, one record), with the standard library only.
func (b pushBrowser) open(t *testing.T, body []byte) webpush.Message {
	t.Helper()
	if len(body) < 21 {
		t.Fatalf("a push body of %d bytes", len(body))
	}
	salt, idlen := body[:16], int(body[20])
	if rs := binary.BigEndian.Uint32(body[16:20]); rs < 18 {
		t.Fatalf("record size %d", rs)
	}
	asPub, record := body[21:21+idlen], body[21+idlen:]
	as, err := ecdh.P256().NewPublicKey(asPub)
	if err != nil {
		t.Fatalf("the sender's key: %v", err)
	}
	shared, err := b.key.ECDH(as)
	if err != nil {
		t.Fatal(err)
	}
	ikm, err := hkdf.Key(sha256.New, shared, b.auth, "WebPush: info\x00"+string(b.key.PublicKey().Bytes())+string(asPub), 32)
	must(t, err)
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	must(t, err)
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	must(t, err)
	block, err := aes.NewCipher(cek)
	must(t, err)
	gcm, err := cipher.NewGCM(block)
	must(t, err)
	plain, err := gcm.Open(nil, nonce, record, nil)
	if err != nil {
		t.Fatalf("the browser cannot decrypt the push: %v", err)
	}
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 0x02 {
		t.Fatal("the record does not end with the last-record delimiter")
	}
	var m webpush.Message
	if err := json.Unmarshal(plain[:len(plain)-1], &m); err != nil {
		t.Fatalf("the push's payload: %v: %q", err, plain)
	}
	return m
}

// startAppPushingTo starts the app with its Web Push client trusting the
// local push service (the app's own client reaches public addresses only).
func startAppPushingTo(t *testing.T, p *localPush) *testApp {
	t.Helper()
	dir := t.TempDir()
	cfg := testConfig(t, dir, generousLimits)
	logs := &lockedWriter{w: &bytes.Buffer{}}
	app, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)), PushClient(p.srv.Client()))
	if err != nil {
		t.Fatalf("open the app: %v", err)
	}
	a := &testApp{t: t, dir: dir, cfg: cfg, app: app, backend: app.backend, logs: logs, db: openSQLite(t, dir)}
	a.server = httptest.NewServer(app.Handler())
	t.Cleanup(a.stop)
	return a
}

func (c *client) deleteJSON(path string, v any) response {
	c.t.Helper()
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodDelete, c.app.server.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// TestWebPushReachesTheRecipientsBrowsers: a browser subscribed through
// POST /api/me/push gets, for each image sent to its person, a message its
// own keys decrypt, naming the sender and the conversation only (not the
// caption), signed with the VAPID key GET /api/push/key gives; a
// subscription the push service says is gone (410) is dropped; an image
// that waits as a request from a stranger pushes nothing; DELETE
// /api/me/push stops the pushes.
func TestWebPushReachesTheRecipientsBrowsers(t *testing.T) {
	push := newLocalPush(t)
	app := startAppPushingTo(t, push)
	bob, carol, alice := app.signUp("bob"), app.signUp("carol"), app.signUp("alice")
	laptop, old := newPushBrowser(t), newPushBrowser(t)
	push.status["/push/old-token"] = http.StatusGone

	key := bob.get("/api/push/key")
	var k struct{ Key string }
	if err := json.Unmarshal([]byte(key.body), &k); key.status != http.StatusOK || err != nil || k.Key == "" {
		t.Fatalf("GET /api/push/key: %d %s", key.status, key.body)
	}
	for _, path := range []string{"/push/laptop-token", "/push/old-token"} {
		b := laptop
		if path == "/push/old-token" {
			b = old
		}
		if r := bob.postJSON("/api/me/push", b.subscription(push.srv.URL+path)); r.status != http.StatusNoContent {
			t.Fatalf("subscribe %s: %d %s", path, r.status, r.body)
		}
	}
	if r := bob.postJSON("/api/me/push", laptop.subscription("http://push.example/plain")); r.status != http.StatusBadRequest ||
		!strings.Contains(r.body, "push address") {
		t.Errorf("subscribe with an http endpoint: %d %s; want 400 saying the address is not usable", r.status, r.body)
	}
	if r := app.client().postJSON("/api/me/push", laptop.subscription(push.srv.URL+"/push/anon")); r.status != http.StatusUnauthorized {
		t.Errorf("subscribe with no session: %d; want 401", r.status)
	}

	putPrivacy(t, bob, map[string]bool{"message_requests": true})
	sendWith(t, bob, "carol", testPNG(t, 8, 8), "") // bob knows carol; alice is a stranger
	sendWith(t, carol, "bob", testPNG(t, 8, 8), "secret-kiwi")
	app.app.backend.notifying.Wait()

	got := push.received("/push/laptop-token")
	if len(got) != 1 {
		t.Fatalf("the laptop received %d pushes; want 1", len(got))
	}
	if bytes.Contains(got[0], []byte("carol")) {
		t.Error("the push body is not encrypted")
	}
	m := laptop.open(t, got[0])
	if want := (webpush.Message{Title: "New image from carol", URL: "/conversations/carol", Tag: "from:carol"}); m != want {
		t.Errorf("the push says %+v; want %+v (the sender and the conversation only)", m, want)
	}
	if !strings.Contains(push.auth["/push/laptop-token"], "k="+k.Key) {
		t.Errorf("the push is not signed with the key GET /api/push/key gives")
	}
	bobUser, err := app.backend.Users.UserByUsername(context.Background(), "bob")
	must(t, err)
	subs, err := app.backend.Push.PushSubscriptionsOf(context.Background(), bobUser.ID)
	must(t, err)
	if len(subs) != 1 || !strings.HasSuffix(subs[0].Endpoint, "/push/laptop-token") || len(push.received("/push/old-token")) != 1 {
		t.Errorf("bob's subscriptions after a 410: %v; want the laptop's only, the gone one tried once and dropped", subs)
	}

	sendWith(t, alice, "bob", testPNG(t, 8, 8), "") // a request: no unread, no push
	app.app.backend.notifying.Wait()
	if n := len(push.received("/push/laptop-token")); n != 1 {
		t.Errorf("a stranger's request pushed (%d pushes; want still 1)", n)
	}

	if r := bob.deleteJSON("/api/me/push", map[string]string{"endpoint": push.srv.URL + "/push/laptop-token"}); r.status != http.StatusNoContent {
		t.Fatalf("unsubscribe: %d %s", r.status, r.body)
	}
	sendWith(t, carol, "bob", testPNG(t, 8, 8), "")
	app.app.backend.notifying.Wait()
	if n := len(push.received("/push/laptop-token")); n != 1 {
		t.Errorf("an unsubscribed browser still got pushes (%d; want 1)", n)
	}
	if strings.Contains(app.logText(), "laptop-token") {
		t.Error("the log names a push endpoint's token")
	}
}

// TestSWIsServedAtTheRoot: /sw.js is the worker, at the root (its scope is
// the whole site), as JavaScript under the site's CSP, never cached stale.
func TestSWIsServedAtTheRoot(t *testing.T) {
	app := startApp(t, t.TempDir())
	r := app.client().get("/sw.js")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") ||
		r.header.Get("Cache-Control") != "no-cache" || !strings.Contains(r.body, `addEventListener("push"`) {
		t.Fatalf("GET /sw.js: %d %q %q", r.status, r.header.Get("Content-Type"), r.header.Get("Cache-Control"))
	}
	if r.header.Get("Content-Security-Policy") == "" {
		t.Error("/sw.js is served without the site's CSP")
	}
}
