package server

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
)

// TestARequestsLogLinesCarryItsRequestID: a send that fails inside a
// service (the key service is down) is logged by its handler with the ID
// the load balancer gave, and so is its access line, which names the route;
// a send that succeeds has the service's own line carry its ID.
func TestARequestsLogLinesCarryItsRequestID(t *testing.T) {
	var kit *imageapptest.Kit
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) { kit = imageapptest.Wrap(p) })
	alice := app.signUp("alice")
	app.signUp("bob")

	kit.Set(imageapptest.FailOn(imageapptest.GenerateDataKey, injected), nil)
	resp := sendWithID(t, alice, "alb-send-7")
	kit.Set(nil, nil)
	if resp.status != http.StatusInternalServerError || resp.header.Get("X-Request-ID") != "alb-send-7" {
		t.Fatalf("send with the key service down: %d, X-Request-ID %q; want 500 echoing alb-send-7", resp.status, resp.header.Get("X-Request-ID"))
	}
	logs := app.logText()
	if failed := lineOf(logs, `msg="request failed"`); !strings.Contains(failed, "request_id=alb-send-7") {
		t.Errorf("the handler's line %q lacks the request ID", failed)
	}
	access := awaitLine(app, "msg=request method=POST route=/api/messages status=500")
	if !strings.Contains(access, "request_id=alb-send-7") || !regexp.MustCompile(`duration_ms=[0-9.]+ bytes=[1-9]`).MatchString(access) {
		t.Errorf("access line %q; want duration_ms, bytes and request_id=alb-send-7", access)
	}

	if resp := sendWithID(t, alice, "alb-send-8"); resp.status != http.StatusCreated {
		t.Fatalf("send: %d %s", resp.status, resp.body)
	}
	if sent := lineOf(app.logText(), `msg="message sent"`); !strings.Contains(sent, "request_id=alb-send-8") {
		t.Errorf("the service's line %q lacks the request ID", sent)
	}
}

// sendWithID sends bob an image through the API with the given X-Request-ID.
func sendWithID(t *testing.T, c *client, id string) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("to", "bob")
	fw, _ := mw.CreateFormFile("image", "a.png")
	fw.Write(testPNG(t, 8, 8))
	mw.Close()
	r, err := http.NewRequest(http.MethodPost, c.app.server.URL+"/api/messages", &body)
	must(t, err)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("X-Request-ID", id)
	return c.do(r)
}

// TestAnEventStreamLogsOneLineWhenItEnds: a stream's access line comes
// when it ends, not while it is open.
func TestAnEventStreamLogsOneLineWhenItEnds(t *testing.T) {
	app := startApp(t, t.TempDir())
	bob := app.signUp("bob")
	s := bob.stream("/events", http.Header{"X-Request-Id": {"stream-1"}})
	s.connected(true)
	if strings.Contains(app.logText(), "request_id=stream-1") {
		t.Fatalf("an open stream was logged:\n%s", app.logText())
	}
	s.resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(app.logText(), "route=/events") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(app.logText(), "msg=request method=GET route=/events status=200"); n != 1 {
		t.Errorf("%d access lines for one stream, want 1:\n%s", n, app.logText())
	}
}

// awaitLine is the first line of app's log containing s, waiting up to 10 s
// for it: an access line is written once the handler has returned, which
// can be after the client has the whole answer (it carries its length).
func awaitLine(app *testApp, s string) string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		line := lineOf(app.logText(), s)
		if line != "" || time.Now().After(deadline) {
			return line
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lineOf is the first line of logs containing s, or "".
func lineOf(logs, s string) string {
	for line := range strings.Lines(logs) {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}
