package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/web/webtest"
)

// fakePush records what the routes ask of the Web Push sender.
type fakePush struct {
	subscribed   [][3]string // endpoint, p256dh, auth
	unsubscribed []string
	refuse       error
}

func (f *fakePush) PublicKey() (string, error) { return "BPublicKey", nil }

func (f *fakePush) Subscribe(_ context.Context, u imageapp.User, endpoint, p256dh, auth string) error {
	if u.ID != bob.ID {
		return imageapp.Errorf(imageapp.EFORBIDDEN, "not bob")
	}
	f.subscribed = append(f.subscribed, [3]string{endpoint, p256dh, auth})
	return f.refuse
}

func (f *fakePush) Unsubscribe(_ context.Context, u imageapp.User, endpoint string) error {
	f.unsubscribed = append(f.unsubscribed, endpoint)
	return nil
}

func newPushAPI(p Push) *Handlers {
	return newHandlers(&webtest.Accounts{}, &fakeMessaging{}).WithPush(p)
}

func pushRequest(method, ctype, body string) *http.Request {
	r := asBob(method, "/api/me/push")
	r.Body = io.NopCloser(strings.NewReader(body))
	r.Header.Set("Content-Type", ctype)
	return r
}

func errorMessage(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var body struct{ Error struct{ Message string } }
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Errorf("the error is not JSON: %v: %s", err, w.Body.String())
	}
	return body.Error.Message
}

// TestPushKeyIsTheSendersOrSaysPushIsOff: GET /api/push/key answers the
// VAPID public key; on a server with no key (AWS mode without one) every
// push route is a 404 that says so, and the clients hide the toggle.
func TestPushKeyIsTheSendersOrSaysPushIsOff(t *testing.T) {
	w := httptest.NewRecorder()
	newPushAPI(&fakePush{}).PushKey(w, httptest.NewRequest(http.MethodGet, "/api/push/key", nil))
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != `{"key":"BPublicKey"}` {
		t.Errorf("status %d, body %s; want 200 and the key", w.Code, got)
	}
	off := newPushAPI(nil)
	for name, h := range map[string]http.HandlerFunc{"key": off.PushKey, "subscribe": off.PushSubscribe, "unsubscribe": off.PushUnsubscribe} {
		w := httptest.NewRecorder()
		h(w, pushRequest(http.MethodPost, "application/json", `{"endpoint":"https://push.example/x","keys":{"p256dh":"k","auth":"a"}}`))
		if msg := errorMessage(t, w); w.Code != http.StatusNotFound || !strings.Contains(msg, "not set up on this server") {
			t.Errorf("%s with push off: %d %q; want 404 saying push is not set up", name, w.Code, msg)
		}
	}
}

// TestPushSubscribeTakesTheBrowsersSubscription: POST /api/me/push takes
// PushSubscription.toJSON() as the browser gives it to the sender for the
// person signed in; what is not one is refused before the sender sees it,
// with the status and what to send; the sender's own refusal (an http
// endpoint, too many browsers) is passed on.
func TestPushSubscribeTakesTheBrowsersSubscription(t *testing.T) {
	good := `{"endpoint":"https://push.example/t-1","expirationTime":null,"keys":{"p256dh":"BKey","auth":"AuthSecret"}}`
	for _, c := range []struct {
		name, ctype, body string
		refuse            error
		status            int
		says              string
		calls             int
	}{
		{"a subscription", "application/json", good, nil, http.StatusNoContent, "", 1},
		{"a form", "application/x-www-form-urlencoded", "endpoint=x", nil, http.StatusUnsupportedMediaType, "as JSON", 0},
		{"broken JSON", "application/json", `{"endpoint":`, nil, http.StatusBadRequest, "not valid JSON", 0},
		{"no endpoint", "application/json", `{"keys":{"p256dh":"BKey","auth":"a"}}`, nil, http.StatusBadRequest, `"endpoint"`, 0},
		{"no keys", "application/json", `{"endpoint":"https://push.example/t-1"}`, nil, http.StatusBadRequest, `"p256dh" and "auth"`, 0},
		{"too large", "application/json", `{"endpoint":"https://push.example/` + strings.Repeat("x", maxPushBody) + `"}`, nil, http.StatusRequestEntityTooLarge, "", 0},
		{"refused by the sender", "application/json", good, imageapp.Errorf(imageapp.EFORBIDDEN, "Notifications are on in 20 browsers already."), http.StatusForbidden, "20 browsers", 1},
	} {
		p := &fakePush{refuse: c.refuse}
		w := httptest.NewRecorder()
		newPushAPI(p).PushSubscribe(w, pushRequest(http.MethodPost, c.ctype, c.body))
		if w.Code != c.status || len(p.subscribed) != c.calls {
			t.Errorf("%s: status %d, %d sender calls; want %d, %d (%s)", c.name, w.Code, len(p.subscribed), c.status, c.calls, w.Body.String())
			continue
		}
		if c.status >= 400 {
			if msg := errorMessage(t, w); !strings.Contains(msg, c.says) {
				t.Errorf("%s: error %q; want it to say %q", c.name, msg, c.says)
			}
		}
	}
	p := &fakePush{}
	newPushAPI(p).PushSubscribe(httptest.NewRecorder(), pushRequest(http.MethodPost, "application/json", good))
	if len(p.subscribed) != 1 || p.subscribed[0] != [3]string{"https://push.example/t-1", "BKey", "AuthSecret"} {
		t.Errorf("the sender got %v; want the endpoint and both keys", p.subscribed)
	}
}

// TestPushUnsubscribeForgetsTheEndpoint: DELETE /api/me/push needs the
// endpoint only.
func TestPushUnsubscribeForgetsTheEndpoint(t *testing.T) {
	p := &fakePush{}
	w := httptest.NewRecorder()
	newPushAPI(p).PushUnsubscribe(w, pushRequest(http.MethodDelete, "application/json", `{"endpoint":"https://push.example/t-1"}`))
	if w.Code != http.StatusNoContent || len(p.unsubscribed) != 1 || p.unsubscribed[0] != "https://push.example/t-1" {
		t.Errorf("status %d, unsubscribed %v; want 204 and the endpoint", w.Code, p.unsubscribed)
	}
	w = httptest.NewRecorder()
	newPushAPI(p).PushUnsubscribe(w, pushRequest(http.MethodDelete, "application/json", `{}`))
	if msg := errorMessage(t, w); w.Code != http.StatusBadRequest || !strings.Contains(msg, `"endpoint"`) || len(p.unsubscribed) != 1 {
		t.Errorf("no endpoint: %d %q; want 400 asking for it, no call", w.Code, msg)
	}
}
