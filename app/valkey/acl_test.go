package valkey_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"imageapp/app/imageapp"
	"imageapp/app/ratelimit"
	"imageapp/app/valkey"
	"imageapp/app/valkey/valkeytest"
)

// The file that gives the app its Valkey user (ElastiCache RBAC). The test
// reads the access strings from it, so the ACL the app is tested under is
// the one Terraform deploys, never a copy that drifts.
const valkeyTF = "../../terraform/valkey.tf"

// tfAccessString returns the access_string of resource "aws_elasticache_user"
// name in terraform/valkey.tf, with ${var.app_name} replaced by app.
func tfAccessString(t *testing.T, name, app string) string {
	t.Helper()
	src, err := os.ReadFile(valkeyTF)
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)resource "aws_elasticache_user" "` + regexp.QuoteMeta(name) + `" \{(.*?)\n\}`).FindSubmatch(src)
	if block == nil {
		t.Fatalf("%s: no resource \"aws_elasticache_user\" %q", valkeyTF, name)
	}
	m := regexp.MustCompile(`\n\s*access_string\s*=\s*"([^"]*)"`).FindSubmatch(block[1])
	if m == nil {
		t.Fatalf("%s: aws_elasticache_user.%s has no literal access_string", valkeyTF, name)
	}
	s := strings.ReplaceAll(string(m[1]), "${var.app_name}", app)
	if strings.Contains(s, "${") {
		t.Fatalf("%s: aws_elasticache_user.%s: access_string %q has an interpolation this test does not know", valkeyTF, name, s)
	}
	return s
}

// aclServer starts redis-server with the users Terraform creates: the app's
// user (its access string from valkey.tf, a password) and the default user
// as valkey.tf leaves it (off). It returns the URL the app connects with,
// redis://<user>:<password>@host:port, as user data writes it (rediss:// there).
func aclServer(t *testing.T, app string) (url string) {
	t.Helper()
	srv := valkeytest.Start(t)
	ctx := context.Background()
	appAccess := tfAccessString(t, "app", app)
	defaultAccess := tfAccessString(t, "default_off", app)
	t.Logf("the app's user: %q; the default user: %q", appAccess, defaultAccess)
	user, password := app+"-app", "test0password0letters0and0digits0000000"

	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer admin.Close()
	setuser := func(name string, rules ...string) {
		args := []any{"ACL", "SETUSER", name, "reset"}
		for _, r := range rules {
			args = append(args, r)
		}
		if err := admin.Do(ctx, args...).Err(); err != nil {
			t.Fatalf("ACL SETUSER %s %v: %v", name, rules, err)
		}
	}
	// The default user goes last: this connection is the default user's.
	setuser(user, append(strings.Fields(appAccess), ">"+password)...)
	setuser("default", strings.Fields(defaultAccess)...)

	// The default user now refuses: a connection without a password can do
	// nothing (ElastiCache's default user is switched off the same way).
	anon := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	defer anon.Close()
	if err := anon.Ping(ctx).Err(); err == nil {
		t.Fatal("PING without a password answered: the default user is not off")
	}
	return "redis://" + user + ":" + password + "@" + srv.Addr
}

// TestAppUnderTerraformACL: the app's client, connected as the Valkey user
// Terraform gives it (redis://user:password@...), runs every operation of
// the shared store under that user's ACL: the handshake and PING (the
// readiness check), the limits' script (EVALSHA, then EVAL on NOSCRIPT;
// TIME, GET, SET PX inside), the leases (SET NX PX, the release script's GET
// and DEL), live events (the publish script's TIME, GET, SET, PUBLISH; GET
// and TIME for Last; SUBSCRIBE and UNSUBSCRIBE on the one pub/sub
// connection). A command the app needs that the access string refuses
// fails here, not in production.
func TestAppUnderTerraformACL(t *testing.T) {
	app := imageapp.DefaultAppName // var.app_name's default; IMAGEAPP_APP_NAME=${var.app_name} (ec2.tf)
	url := aclServer(t, app)
	ctx := context.Background()

	c, err := valkey.Open(ctx, url, app)
	if err != nil {
		t.Fatalf("open as the app's user: %v", err)
	}
	defer c.Close()
	if err := c.Ping(ctx); err != nil {
		t.Errorf("readiness (PING): %v", err)
	}

	// Shared limits: the first run loads the script (EVALSHA refused with
	// NOSCRIPT, then EVAL), later ones run it by hash.
	rule := ratelimit.Rule{Burst: 2, Every: time.Hour}
	for i, want := range []bool{true, true, false} {
		ok, _, err := c.Limits().TakeN(ctx, rule, "ip:login:192.0.2.7", 1)
		if err != nil || ok != want {
			t.Fatalf("limits: take %d: %v, %v; want %v", i, ok, err, want)
		}
	}

	// Leases: acquire, held by another, release, acquire again.
	release, ok, err := c.Leases().Acquire(ctx, "sweep", time.Minute)
	if err != nil || !ok {
		t.Fatalf("leases: acquire: %v, %v", ok, err)
	}
	if _, ok, err := c.Leases().Acquire(ctx, "sweep", time.Minute); err != nil || ok {
		t.Fatalf("leases: acquire while held: %v, %v; want refused without an error", ok, err)
	}
	if err := release(ctx); err != nil {
		t.Fatalf("leases: release: %v", err)
	}
	release, ok, err = c.Leases().Acquire(ctx, "sweep", time.Minute)
	if err != nil || !ok {
		t.Fatalf("leases: acquire after release: %v, %v", ok, err)
	}
	if err := release(ctx); err != nil {
		t.Fatalf("leases: release: %v", err)
	}

	// Live events between two instances (two clients as the same user).
	c2, err := valkey.Open(ctx, url, app)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	pub, sub := c.Events(nil), c2.Events(nil)
	defer pub.Close()
	defer sub.Close()
	before, err := sub.Last(ctx, "bob") // no sequence yet: GET, then TIME
	if err != nil {
		t.Fatalf("events: last without a sequence: %v", err)
	}
	ch, stop, err := sub.Subscribe(ctx, "bob")
	if err != nil {
		t.Fatalf("events: subscribe: %v", err)
	}
	seq, err := pub.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventMessage, Box: imageapp.Inbox, MessageID: "m1", From: "alice", Unread: 1})
	if err != nil {
		t.Fatalf("events: publish: %v", err)
	}
	if seq <= before {
		t.Errorf("events: seq %d after Last %d", seq, before)
	}
	if e := recvEvent(t, ch); e.Seq != seq || e.MessageID != "m1" {
		t.Errorf("events: got %+v, want seq %d", e, seq)
	}
	if last, err := sub.Last(ctx, "bob"); err != nil || last != seq {
		t.Errorf("events: last = %d, %v; want %d", last, err, seq)
	}
	stop() // the last local subscriber: UNSUBSCRIBE
	// The pub/sub connection still works after the unsubscribe (a refused
	// UNSUBSCRIBE would have broken it): subscribe again and get an event.
	ch, stop, err = sub.Subscribe(ctx, "bob")
	if err != nil {
		t.Fatalf("events: subscribe again: %v", err)
	}
	defer stop()
	seq, err = pub.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventRead, Box: imageapp.Inbox})
	if err != nil {
		t.Fatalf("events: publish: %v", err)
	}
	if e := recvEvent(t, ch); e.Seq != seq {
		t.Errorf("events: got %+v after resubscribing, want seq %d", e, seq)
	}
}

// TestTerraformACLIsInForce: the ACL the test above runs under is really
// applied: the same user under another key prefix, or the dangerous
// commands the access string removes, are refused. (Without this, a
// server that ignored the ACL would pass the test above.)
func TestTerraformACLIsInForce(t *testing.T) {
	app := imageapp.DefaultAppName
	url := aclServer(t, app)
	ctx := context.Background()

	other, err := valkey.Open(ctx, url, "otherapp") // keys otherapp:..., outside ~imageapp:*
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, _, err = other.Limits().Take(ctx, ratelimit.Rule{Burst: 1, Every: time.Second}, "k")
	if err == nil || !strings.Contains(err.Error(), "NOPERM") {
		t.Errorf("a key outside the app's prefix: %v; want NOPERM", err)
	}

	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	raw := redis.NewClient(opts)
	defer raw.Close()
	for _, cmd := range [][]any{{"FLUSHALL"}, {"KEYS", app + ":*"}, {"CONFIG", "GET", "maxmemory"}} {
		err := raw.Do(ctx, cmd...).Err()
		var rerr redis.Error
		if err == nil || !errors.As(err, &rerr) || !strings.Contains(err.Error(), "NOPERM") {
			t.Errorf("%v as the app's user: %v; want NOPERM", cmd, err)
		}
	}
}

// TestEventsSubscribeRefusedIsAnError: a SUBSCRIBE the server refuses (an
// ACL without the command) is an error from Subscribe, not a stream that
// has already ended.
func TestEventsSubscribeRefusedIsAnError(t *testing.T) {
	srv := valkeytest.Start(t)
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer admin.Close()
	if err := admin.Do(ctx, "ACL", "SETUSER", "nosub", "on", ">pw", "~*", "&*", "+@all", "-subscribe").Err(); err != nil {
		t.Fatal(err)
	}
	e := liveEvents(t, "redis://nosub:pw@"+srv.Addr)
	ch, stop, err := e.Subscribe(ctx, "bob")
	if err == nil {
		stop()
		_, open := <-ch
		t.Fatalf("Subscribe refused by the server returned no error (the stream was open: %v)", open)
	}
}
