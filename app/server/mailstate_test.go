package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestNotificationMailInLocalMode: the settings page says where notification
// mail goes; locally that is the outbox, with nothing to confirm or resend.
// (AWS mode's confirmed → gone → resend → confirmed is walked by
// TestIAMGrantsMatchTheCode on the emulators.)
func TestNotificationMailInLocalMode(t *testing.T) {
	a := startApp(t, t.TempDir())
	c := a.signUp("mona")

	r := c.get("/settings")
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-state="outbox"`) || !strings.Contains(r.body, "outbox") {
		t.Fatalf("settings page: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, "/settings/mail/resend") {
		t.Error("the outbox needs no confirmation, yet the page offers to send it again")
	}
	r = c.get("/api/me/mail")
	var reply struct {
		Mail struct {
			State     string `json:"state"`
			Email     string `json:"email"`
			CanResend bool   `json:"can_resend"`
		} `json:"mail"`
	}
	if err := json.Unmarshal([]byte(r.body), &reply); err != nil || r.status != http.StatusOK ||
		reply.Mail.State != "outbox" || reply.Mail.Email != "mona@example.com" || reply.Mail.CanResend {
		t.Errorf("GET /api/me/mail: %d %s", r.status, r.body)
	}
	if r := c.postJSON("/api/me/mail/resend", nil); r.status != http.StatusAccepted {
		t.Errorf("POST /api/me/mail/resend: %d %s", r.status, r.body)
	}
	if r := a.client().get("/api/me/mail"); r.status != http.StatusUnauthorized {
		t.Errorf("the mail state without a session: %d", r.status)
	}
}
