package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"imageapp/app/valkey/valkeytest"
)

// ended waits up to wait for the stream to end, failing the test if it
// delivers a message event or stays open; it returns how long it took.
func (s *sseStream) ended(wait time.Duration) time.Duration {
	s.t.Helper()
	start := time.Now()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				return time.Since(start)
			}
			if e.name == "inbox" || e.name == "sent" {
				s.t.Errorf("a stream whose session ended delivered %s %s", e.name, e.data)
			}
		case <-timer.C:
			s.t.Fatalf("the stream was still open %v after its session ended", wait)
			return 0
		}
	}
}

// open reports whether the stream is still open after wait, with no event.
func (s *sseStream) open(wait time.Duration) bool {
	s.t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				return false
			}
			if e.name != "" && e.name != "comment" {
				s.t.Errorf("unexpected event %s %s", e.name, e.data)
			}
		case <-timer.C:
			return true
		}
	}
}

// TestEventStreamsEndWithTheirSession: an open event stream (either
// client's) ends within seconds when its session ends, however it ends —
// a logout, "log out other devices", a password change, the account's
// deletion — and the streams of the sessions that stay go on.
func TestEventStreamsEndWithTheirSession(t *testing.T) {
	app := startApp(t, t.TempDir())
	const password = "correct horse battery"

	cases := []struct {
		name     string
		path     string
		end      func(phone, laptop *client)
		laptopOn bool // the laptop's own session stays
	}{
		{"logout", "/events", func(phone, _ *client) {
			if r := phone.postForm("/logout", nil); r.url != "/login" {
				t.Fatalf("logout: %d at %s", r.status, r.url)
			}
		}, true},
		{"log out other devices", "/api/events", func(_, laptop *client) {
			if r := laptop.delete("/api/me/sessions"); r.status != http.StatusNoContent {
				t.Fatalf("DELETE /api/me/sessions: %d %s", r.status, r.body)
			}
		}, true},
		{"password change", "/api/events", func(phone, _ *client) {
			r := phone.postJSON("/api/me/password", map[string]string{"current_password": password, "new_password": password})
			if r.status != http.StatusNoContent && r.status != http.StatusOK {
				t.Fatalf("change the password: %d %s", r.status, r.body)
			}
		}, false},
		{"account deletion", "/events", func(phone, _ *client) {
			req, _ := http.NewRequest(http.MethodDelete, app.server.URL+"/api/me", strings.NewReader(`{"password":"`+password+`"}`))
			req.Header.Set("Content-Type", "application/json")
			if r := phone.do(req); r.status != http.StatusNoContent {
				t.Fatalf("DELETE /api/me: %d %s", r.status, r.body)
			}
		}, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "bob" + strconv.Itoa(i) // a person per case: logins are limited per name
			phone := app.signUp(name)
			laptop := app.loginWith(name, password, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
			phoneStream := phone.stream(tc.path, nil)
			phoneStream.connected(true)
			laptopStream := laptop.stream(tc.path, nil)
			laptopStream.connected(true)

			tc.end(phone, laptop)
			took := phoneStream.ended(5 * time.Second)
			t.Logf("the ended session's stream closed %v after", took.Round(time.Millisecond))
			if !tc.laptopOn {
				laptopStream.ended(5 * time.Second)
				return
			}
			if !laptopStream.open(time.Second) {
				t.Error("the stream of a session that stays ended too")
			}
		})
	}
}

// TestEventStreamsCheckTheirSessionAtEveryHeartbeat: a session that ends
// without the news reaching its stream (here, ended in the store behind
// the app's back) still ends the stream at its next heartbeat, 20 s.
func TestEventStreamsCheckTheirSessionAtEveryHeartbeat(t *testing.T) {
	app := startApp(t, t.TempDir())
	bob := app.signUp("bob")
	s := bob.stream("/api/events", nil)
	s.connected(true)

	u, err := app.backend.Users.UserByUsername(context.Background(), "bob")
	must(t, err)
	must(t, app.backend.Sessions.KeepOnlySession(context.Background(), u.ID, ""))
	start := time.Now()
	s.ended(streamHeartbeatForTests + 5*time.Second)
	t.Logf("the stream ended %v after its session", time.Since(start).Round(time.Millisecond))
}

// streamHeartbeatForTests is web's streamHeartbeat, as the tests wait for it.
const streamHeartbeatForTests = 20 * time.Second

// TestClusterEventStreamsEndWithTheirSession: a logout on one instance ends
// the session's stream open on another, through the shared store's
// pub/sub, well before any heartbeat.
func TestClusterEventStreamsEndWithTheirSession(t *testing.T) {
	store := valkeytest.Start(t)
	shared := func(c *Config) { c.ValkeyURL = store.URL }
	dir := t.TempDir()
	a := startApp(t, dir, shared)
	a.signUp("bob")
	b := startApp(t, dir, shared)

	onA := a.client()
	if r := onA.postForm("/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}}); r.url != "/inbox" {
		t.Fatalf("bob logs in on A: %d at %s", r.status, r.url)
	}
	onB := b.client()
	onB.http.Jar = onA.http.Jar // the same browser, balanced to B
	s := onB.stream("/events", nil)
	s.connected(true)

	if r := onA.postForm("/logout", nil); r.url != "/login" {
		t.Fatalf("logout on A: %d at %s", r.status, r.url)
	}
	took := s.ended(5 * time.Second)
	t.Logf("the stream on B closed %v after the logout on A", took.Round(time.Millisecond))
}
