package server

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"imageapp/app/ratelimit"
	"imageapp/app/web"
)

// TestCodeMailsAreCappedPerAddressAndOverall: every action that mails a
// code (sign-up, a new code, a password reset) spends one budget of the
// client's address, whatever the action and the username; and all clients
// together spend one more, so many addresses cannot make the server a
// mailer either.
func TestCodeMailsAreCappedPerAddressAndOverall(t *testing.T) {
	generous := ratelimit.Rule{Burst: 1000, Every: time.Millisecond}
	app := startApp(t, t.TempDir(), behindProxy, func(c *Config) {
		c.Limits = web.Limits{PerIP: generous, PerUser: generous,
			CodeMailsPerIP: ratelimit.Rule{Burst: 3, Every: time.Hour}, CodeMails: ratelimit.Rule{Burst: 5, Every: time.Hour}}
	})
	one := app.from("203.0.113.1")
	mails := []struct {
		path string
		body map[string]string
	}{
		{"/api/signup", map[string]string{"username": "first", "email": "first@example.com", "password": "correct horse battery"}},
		{"/api/verify/resend", map[string]string{"username": "first"}},
		{"/api/password/forgot", map[string]string{"username": "someone"}},
		{"/api/signup", map[string]string{"username": "fourth", "email": "fourth@example.com", "password": "correct horse battery"}},
	}
	for i, m := range mails {
		r := one.postJSON(m.path, m.body)
		limited := r.status == http.StatusTooManyRequests
		if want := i == 3; limited != want {
			t.Fatalf("code mail %d from one address (%s): %d; want 429 only past its budget of 3", i+1, m.path, r.status)
		}
	}
	// Two more addresses: the overall budget of 5 has 2 left after the
	// first address's 3.
	for i := range 3 {
		r := app.from(fmt.Sprintf("198.51.100.%d", i+1)).postJSON("/api/password/forgot", map[string]string{"username": "someone"})
		limited := r.status == http.StatusTooManyRequests
		if want := i == 2; limited != want {
			t.Fatalf("code mail from a fresh address %d: %d; want 429 once everyone's budget of 5 is spent", i+1, r.status)
		}
	}
}
