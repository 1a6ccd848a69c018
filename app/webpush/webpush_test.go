package webpush_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"imageapp/app/imageapp"
	"imageapp/app/local"
	"imageapp/app/webpush"
)

// browser is a subscribed browser: its keys, and what its push service got.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newBrowser(t *testing.T) browser {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return browser{key: key, auth: auth}
}

var b64 = base64.RawURLEncoding

// decrypt opens an aes128gcm body as the browser does (RFC 8291, RFC 8188).
func (b browser) decrypt(t *testing.T, body []byte) []byte {
	t.Helper()
	if len(body) < 21 {
		t.Fatalf("body of %d bytes", len(body))
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	asPub, record := body[21:21+idlen], body[21+idlen:]
	if int(rs) < len(record) {
		t.Fatalf("record of %d bytes over the record size %d", len(record), rs)
	}
	as, err := ecdh.P256().NewPublicKey(asPub)
	if err != nil {
		t.Fatalf("sender key: %v", err)
	}
	shared, err := b.key.ECDH(as)
	if err != nil {
		t.Fatal(err)
	}
	info := "WebPush: info\x00" + string(b.key.PublicKey().Bytes()) + string(asPub)
	ikm, _ := hkdf.Key(sha256.New, shared, b.auth, info, 32)
	cek, _ := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	nonce, _ := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, record, nil)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	plain = []byte(strings.TrimRight(string(plain), "\x00"))
	if len(plain) == 0 || plain[len(plain)-1] != 0x02 {
		t.Fatalf("record does not end with the last-record delimiter")
	}
	return plain[:len(plain)-1]
}

// pushService is a local push endpoint: it checks the VAPID token against
// the key it names and keeps what it receives.
type pushService struct {
	t      *testing.T
	srv    *httptest.Server
	vapid  *ecdsa.PublicKey
	mu     sync.Mutex
	bodies map[string][][]byte // by path
	status map[string]int
}

func newPushService(t *testing.T, vapid *ecdsa.PublicKey) *pushService {
	p := &pushService{t: t, vapid: vapid, bodies: map[string][][]byte{}, status: map[string]int{}}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushService) serve(w http.ResponseWriter, r *http.Request) {
	t := p.t
	if r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") == "" {
		t.Errorf("headers %v; want Content-Encoding aes128gcm and a TTL", r.Header)
	}
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "vapid ")
	var token, k string
	for part := range strings.SplitSeq(auth, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			token = v
		}
		if v, ok := strings.CutPrefix(part, "k="); ok {
			k = v
		}
	}
	raw, err := b64.DecodeString(k)
	if !ok || err != nil {
		t.Errorf("Authorization %q; want vapid t=…, k=…", r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	want, err := p.vapid.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != string(want.Bytes()) {
		t.Errorf("VAPID k is not the app's key")
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return p.vapid, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithAudience(p.srv.URL), jwt.WithExpirationRequired())
	if err != nil {
		t.Errorf("VAPID token: %v", err)
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if exp, _ := claims.GetExpirationTime(); exp.After(time.Now().Add(24 * time.Hour)) {
		t.Errorf("VAPID token expires %v; RFC 8292 allows at most 24 hours", exp)
	}
	if sub, _ := claims.GetSubject(); sub != "mailto:ops@imageapp.example" {
		t.Errorf("VAPID sub = %q", sub)
	}
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	p.bodies[r.URL.Path] = append(p.bodies[r.URL.Path], body)
	status := p.status[r.URL.Path]
	p.mu.Unlock()
	if status == 0 {
		status = http.StatusCreated
	}
	w.WriteHeader(status)
}

func (p *pushService) received(path string) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bodies[path]
}

type fixture struct {
	ctx    context.Context
	store  *local.Directory
	sender *webpush.Sender
	push   *pushService
	user   imageapp.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := local.OpenDB(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ctx: ctx, store: &local.Directory{DB: db}, push: newPushService(t, &key.PublicKey), user: imageapp.User{ID: "u-alice", Username: "alice"}}
	f.sender = &webpush.Sender{Store: f.store, Key: key, Contact: "mailto:ops@imageapp.example", Client: f.push.srv.Client()}
	return f
}

func (f *fixture) subscribe(t *testing.T, path string, b browser) string {
	t.Helper()
	endpoint := f.push.srv.URL + path
	if err := f.sender.Subscribe(f.ctx, f.user, endpoint, b64.EncodeToString(b.key.PublicKey().Bytes()), b64.EncodeToString(b.auth)); err != nil {
		t.Fatalf("subscribe %s: %v", path, err)
	}
	return endpoint
}

func TestSendReachesEveryBrowserEncryptedAndSigned(t *testing.T) {
	f := newFixture(t)
	laptop, phone := newBrowser(t), newBrowser(t)
	f.subscribe(t, "/push/laptop-token", laptop)
	f.subscribe(t, "/push/phone-token", phone)

	if err := f.sender.Send(f.ctx, f.user.ID, webpush.NewImage("bob", "/conversations/bob", "our secret beach", false)); err != nil {
		t.Fatalf("send: %v", err)
	}
	for path, b := range map[string]browser{"/push/laptop-token": laptop, "/push/phone-token": phone} {
		got := f.push.received(path)
		if len(got) != 1 {
			t.Fatalf("%s received %d messages; want 1", path, len(got))
		}
		if strings.Contains(string(got[0]), "bob") {
			t.Errorf("%s: the body is not encrypted", path)
		}
		var m webpush.Message
		if err := json.Unmarshal(b.decrypt(t, got[0]), &m); err != nil {
			t.Fatalf("%s: payload: %v", path, err)
		}
		want := webpush.Message{Title: "bob sent you an image", URL: "/conversations/bob", Tag: "from:bob"}
		if m != want {
			t.Errorf("%s: payload %+v; want %+v (no caption: not chosen)", path, m, want)
		}
	}
}

func TestCaptionOnlyWhenChosen(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t)
	f.subscribe(t, "/push/one", b)
	if err := f.sender.Send(f.ctx, f.user.ID, webpush.NewImage("bob", "/conversations/bob", "our secret beach", true)); err != nil {
		t.Fatal(err)
	}
	var m webpush.Message
	if err := json.Unmarshal(b.decrypt(t, f.push.received("/push/one")[0]), &m); err != nil {
		t.Fatal(err)
	}
	if m.Body != "our secret beach" {
		t.Errorf("body %q; want the caption, which the person chose to show", m.Body)
	}
}

func TestGoneSubscriptionsAreDropped(t *testing.T) {
	f := newFixture(t)
	f.push.status["/push/gone"] = http.StatusGone
	f.push.status["/push/missing"] = http.StatusNotFound
	f.push.status["/push/busy-token"] = http.StatusServiceUnavailable
	for _, p := range []string{"/push/gone", "/push/missing", "/push/busy-token", "/push/fine"} {
		f.subscribe(t, p, newBrowser(t))
	}
	err := f.sender.Send(f.ctx, f.user.ID, webpush.NewImage("bob", "/conversations/bob", "", false))
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("send = %v; want the busy service's 503", err)
	}
	if err != nil && strings.Contains(err.Error(), "busy-token") {
		t.Errorf("the error names the endpoint's path (the browser's token): %v", err)
	}
	subs, err := f.store.PushSubscriptionsOf(f.ctx, f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, s := range subs {
		left = append(left, strings.TrimPrefix(s.Endpoint, f.push.srv.URL))
	}
	if strings.Join(left, " ") != "/push/busy-token /push/fine" {
		t.Errorf("subscriptions left %v; want the busy and the fine ones (404 and 410 dropped)", left)
	}
	if len(f.push.received("/push/fine")) != 1 {
		t.Errorf("a dead subscription stopped the others")
	}
}

func TestSubscribeRefusesWhatIsNotABrowsers(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t)
	pub, auth := b64.EncodeToString(b.key.PublicKey().Bytes()), b64.EncodeToString(b.auth)
	for name, in := range map[string][3]string{
		"plain http":  {"http://push.example/x", pub, auth},
		"not a URL":   {"::", pub, auth},
		"short auth":  {"https://push.example/x", pub, b64.EncodeToString(b.auth[:8])},
		"not a point": {"https://push.example/x", b64.EncodeToString(make([]byte, 65)), auth},
	} {
		if err := f.sender.Subscribe(f.ctx, f.user, in[0], in[1], in[2]); imageapp.ErrorCode(err) != imageapp.EINVALID {
			t.Errorf("%s: %v; want EINVALID", name, err)
		}
	}
}

func TestDefaultClientReachesNoPrivateAddress(t *testing.T) {
	f := newFixture(t)
	f.sender.Client = nil // NewClient's
	f.subscribe(t, "/push/inside", newBrowser(t))
	err := f.sender.Send(f.ctx, f.user.ID, webpush.NewImage("bob", "/conversations/bob", "", false))
	if err == nil || !strings.Contains(err.Error(), "not a public address") {
		t.Errorf("send to a loopback endpoint = %v; want it refused", err)
	}
	if len(f.push.received("/push/inside")) != 0 {
		t.Errorf("the loopback endpoint was reached")
	}
}

func TestPublicKeyIsTheApplicationServerKey(t *testing.T) {
	f := newFixture(t)
	k, err := f.sender.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b64.DecodeString(k)
	if err != nil || len(raw) != 65 || raw[0] != 4 {
		t.Fatalf("public key %q; want base64url of a 65-byte uncompressed point", k)
	}
}

func TestKeyRoundTrips(t *testing.T) {
	s, err := webpush.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := webpush.ParseKey(s)
	if err != nil {
		t.Fatalf("parse a new key: %v", err)
	}
	again, err := webpush.ParseKey(s)
	if err != nil || !key.Equal(again) {
		t.Errorf("the same string parsed to another key (%v)", err)
	}
	if _, err := webpush.ParseKey(base64.StdEncoding.EncodeToString([]byte("not a key"))); err == nil {
		t.Error("a string that is no key parsed")
	}
	ed, _ := x509.MarshalPKCS8PrivateKey(mustEd25519(t))
	if _, err := webpush.ParseKey(base64.StdEncoding.EncodeToString(ed)); err == nil {
		t.Error("an Ed25519 key parsed as a VAPID key")
	}
}

func mustEd25519(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
