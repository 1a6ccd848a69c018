package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"imageapp/app/aws/dynamostore"
	"imageapp/app/cookiekeys"
	"imageapp/app/web"
)

// twin opens a second instance of a's app in AWS mode: the same emulators
// and resources, its own process state (as another machine behind the load
// balancer would have).
func (a *awsApp) twin(t *testing.T, ctx context.Context) *awsApp {
	t.Helper()
	cfg := a.cfg
	cfg.DataDir = t.TempDir()
	logs := &lockedWriter{w: &bytes.Buffer{}}
	app, err := Open(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatalf("open a second instance: %v", err)
	}
	b := &testApp{t: t, dir: cfg.DataDir, cfg: cfg, app: app, backend: app.backend, logs: logs, server: httptest.NewServer(app.Handler())}
	t.Cleanup(b.stop)
	return &awsApp{testApp: b, cfg: cfg, clients: a.clients, res: a.res}
}

// carry is a browser moving to another instance with c's cookies (a load
// balancer sends its next request elsewhere).
func (c *client) carry(to *awsApp) *client {
	from, _ := url.Parse(c.app.server.URL)
	at, _ := url.Parse(to.server.URL)
	next := to.client()
	next.http.Jar.SetCookies(at, c.http.Jar.Cookies(from))
	return next
}

// signedBy tells whether c's session cookie verifies with pair alone.
func (c *client) signedBy(pair cookiekeys.Pair) bool {
	for _, k := range c.sessionCookies() {
		var v map[any]any
		if securecookie.DecodeMulti(k.Name, k.Value, &v, web.CookieCodecs(pair.Hash, pair.Block)...) == nil {
			return true
		}
	}
	return false
}

// TestAWSInstancesShareCookieKeys: two instances in AWS mode on the same
// emulators accept each other's cookies (with per-instance keys the second
// answered 401); a rotation through the cookie-keys command reaches both
// without logging anyone out, signs only once ActivateAfter has passed, and
// retiring the old pair ends the cookies it signed on both.
func TestAWSInstancesShareCookieKeys(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var clock atomic.Pointer[time.Time]
	start := time.Now()
	clock.Store(&start)
	one := startAWSApp(t, ctx, "twins", func(c *Config) {
		c.CookieKeysEvery = 20 * time.Millisecond
		c.Now = func() time.Time { return *clock.Load() }
	})
	two := one.twin(t, ctx)

	one.signUp("alice")
	alice := one.login("alice")
	if r := alice.carry(two).get("/api/me"); r.status != http.StatusOK {
		t.Fatalf("a session cookie from instance 1 on instance 2: %d; want 200 (one key ring for the cluster)", r.status)
	}
	bob := func() *client { one.signUp("bob"); return two.login("bob") }()
	if r := bob.carry(one).get("/api/me"); r.status != http.StatusOK || !strings.Contains(r.body, `"bob"`) {
		t.Fatalf("a session cookie from instance 2 on instance 1: %d %s", r.status, r.body)
	}

	// Rotate as an operator would (go run ./app cookie-keys rotate).
	store, err := CookieKeyStore(ctx, one.cfg)
	if err != nil {
		t.Fatal(err)
	}
	store.(*dynamostore.CookieKeys).Now = one.cfg.Now // the operator's clock is the instances'
	before, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := store.Rotate(ctx)
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	waitForRing(t, rotated.Version, one, two)
	for name, c := range map[string]*client{"instance 1": alice, "instance 2": alice.carry(two)} {
		if r := c.get("/api/me"); r.status != http.StatusOK {
			t.Errorf("after the rotation, a cookie issued before it is refused on %s: %d", name, r.status)
		}
	}
	early := one.login("alice")
	if !early.signedBy(before.Pairs[0]) {
		t.Error("right after the rotation, a login is not signed by the old pair: an instance that has not re-read the ring would refuse it")
	}

	later := clock.Load().Add(cookiekeys.ActivateAfter + time.Second)
	clock.Store(&later)
	fresh := two.login("alice")
	if !fresh.signedBy(rotated.Pairs[0]) || fresh.signedBy(before.Pairs[0]) {
		t.Fatal("once ActivateAfter has passed, a login is not signed by the new pair")
	}
	if r := fresh.carry(one).get("/api/me"); r.status != http.StatusOK {
		t.Errorf("a cookie of the new pair from instance 2 on instance 1: %d", r.status)
	}

	retired, err := store.Retire(ctx, 1)
	if err != nil || len(retired.Pairs) != 1 {
		t.Fatalf("retire -keep 1: %d pairs, %v", len(retired.Pairs), err)
	}
	waitForRing(t, retired.Version, one, two)
	for name, c := range map[string]*client{"instance 1": alice, "instance 2": alice.carry(two)} {
		if r := c.get("/api/me"); r.status != http.StatusUnauthorized {
			t.Errorf("a cookie of the retired pair on %s: %d; want 401", name, r.status)
		}
	}
	if r := fresh.carry(one).get("/api/me"); r.status != http.StatusOK {
		t.Errorf("retiring the old pair ended a session of the new one: %d", r.status)
	}

	// No key material in either instance's log, in any usual spelling.
	for _, a := range []*awsApp{one, two} {
		logs := a.logText()
		if !strings.Contains(logs, "cookie keys: switched to a new ring") {
			t.Errorf("the refresh left no trace in the log:\n%s", logs)
		}
		for _, p := range rotated.Pairs {
			for _, k := range [][]byte{p.Hash, p.Block} {
				for _, spelled := range []string{base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k), hex.EncodeToString(k)} {
					if strings.Contains(logs, spelled[:24]) {
						t.Fatal("a cookie key is in the log")
					}
				}
			}
		}
	}
}

// waitForRing waits until every instance uses the ring's version.
func waitForRing(t *testing.T, version int64, apps ...*awsApp) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, a := range apps {
		for a.backend.cookieKeys.Ring().Version != version {
			if time.Now().After(deadline) {
				t.Fatalf("an instance still uses ring version %d, not %d", a.backend.cookieKeys.Ring().Version, version)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestConfigOfTheCookieKeys: AWS mode needs the app key; the role ARN is
// optional but must be a role's.
func TestConfigOfTheCookieKeys(t *testing.T) {
	env := map[string]string{"IMAGEAPP_BACKEND": "aws", "IMAGEAPP_ALLOW_INSECURE_HTTP": "1", "IMAGEAPP_COGNITO_USER_POOL_ID": "p", "IMAGEAPP_COGNITO_CLIENT_ID": "c",
		"IMAGEAPP_USERS_TABLE": "u", "IMAGEAPP_MESSAGES_TABLE": "m", "IMAGEAPP_BUCKET": "b", "IMAGEAPP_ROOT_KEY_ID": "alias/imageapp/root"}
	if _, err := ConfigFromEnv(envOf(env)); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_APP_KEY_ID") {
		t.Errorf("AWS mode without an app key: %v; want an error naming IMAGEAPP_APP_KEY_ID", err)
	}
	env["IMAGEAPP_APP_KEY_ID"] = "alias/imageapp/app"
	if _, err := ConfigFromEnv(envOf(env)); err != nil {
		t.Errorf("AWS mode with an app key and no role: %v", err)
	}
	env["IMAGEAPP_APP_ROLE_ARN"] = "imageapp-app"
	if _, err := ConfigFromEnv(envOf(env)); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_APP_ROLE_ARN") {
		t.Errorf("a role name for IMAGEAPP_APP_ROLE_ARN: %v; want an error naming it", err)
	}
	env["IMAGEAPP_APP_ROLE_ARN"] = "arn:aws:iam::123456789012:role/imageapp-app"
	if c, err := ConfigFromEnv(envOf(env)); err != nil || c.AWS.AppRoleARN != env["IMAGEAPP_APP_ROLE_ARN"] {
		t.Errorf("a role ARN: %v", err)
	}
	env["IMAGEAPP_BACKEND"] = "local"
	if _, err := CookieKeyStore(context.Background(), mustConfig(t, env)); err == nil || !strings.Contains(err.Error(), "AWS mode") {
		t.Errorf("cookie-keys in local mode: %v; want an error saying it is for AWS mode", err)
	}
}

func mustConfig(t *testing.T, env map[string]string) Config {
	t.Helper()
	c, err := ConfigFromEnv(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
