package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
	"imageapp/app/web"
)

// fakePasskeys is the passkey service as one test needs it; a method it
// does not set panics through the nil interface it embeds.
type fakePasskeys struct {
	Passkeys
	list        []imageapp.Passkey
	finishLogin func(id, answer string) (imageapp.User, error)
	calls       int
}

func (f *fakePasskeys) List(context.Context, imageapp.User) ([]imageapp.Passkey, error) {
	f.calls++
	return f.list, nil
}

func (f *fakePasskeys) FinishLogin(_ context.Context, id string, answer io.Reader) (imageapp.User, error) {
	f.calls++
	b, err := io.ReadAll(answer)
	if err != nil || f.finishLogin == nil {
		return imageapp.User{}, imageapp.Errorf(imageapp.EUNAUTHORIZED, "This test takes no passkey.")
	}
	return f.finishLogin(id, string(b))
}

func (f *fakePasskeys) FinishRegistration(context.Context, imageapp.User, string, string, io.Reader) (imageapp.Passkey, error) {
	f.calls++
	return imageapp.Passkey{}, nil
}

// fakeSessions records the sessions a sign-in starts.
type fakeSessions struct {
	web.Accounts
	started []imageapp.Session
}

func (f *fakeSessions) StartSession(_ context.Context, _ imageapp.User, s imageapp.Session) error {
	f.started = append(f.started, s)
	return nil
}

func newPasskeyAPI(p *fakePasskeys, a *fakeSessions) *Handlers {
	core := web.New(web.Options{
		Accounts: a, Messaging: &fakeMessaging{},
		CookieKeys: cookiekeys.NewLive(cookiekeys.Single(cookiekeys.New())),
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	return New(core, nil, &fakeMessaging{}).WithPasskeys(p)
}

// TestMyPasskeysLists: GET /api/me/passkeys lists each passkey by its
// URL-safe ID (the one DELETE takes), name and dates; one never used has no
// last_used; none is an empty list, not null.
func TestMyPasskeysLists(t *testing.T) {
	added := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	used := added.Add(48 * time.Hour)
	for _, c := range []struct {
		list []imageapp.Passkey
		want string
	}{
		{[]imageapp.Passkey{
			{ID: []byte{0xfb, 0xff, 0x01}, Name: "Work laptop", Created: added, LastUsed: used},
			{ID: []byte{0x02}, Name: "Phone", Created: added},
		}, `{"passkeys":[{"id":"-_8B","name":"Work laptop","created":"2026-12-01T09:00:00Z","last_used":"2026-12-03T09:00:00Z"},{"id":"Ag","name":"Phone","created":"2026-12-01T09:00:00Z"}]}`},
		{nil, `{"passkeys":[]}`},
	} {
		w := httptest.NewRecorder()
		newPasskeyAPI(&fakePasskeys{list: c.list}, &fakeSessions{}).MyPasskeys(w, asBob(http.MethodGet, "/api/me/passkeys"))
		if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != c.want {
			t.Errorf("status %d, body %s; want 200, %s", w.Code, got, c.want)
		}
	}
}

// TestPasskeyAnswersMustBeJSON: both finishing routes refuse what is not a
// ceremony's JSON answer with the status and a message that says what to
// send, before the service sees it.
func TestPasskeyAnswersMustBeJSON(t *testing.T) {
	for _, c := range []struct {
		name, ctype, body string
		status            int
		says              string
	}{
		{"a form", "application/x-www-form-urlencoded", "ceremony=x", http.StatusUnsupportedMediaType, "as JSON"},
		{"broken JSON", "application/json", `{"ceremony":`, http.StatusBadRequest, "not valid JSON"},
		{"no ceremony", "application/json", `{"credential":{"id":"x"}}`, http.StatusBadRequest, `"ceremony"`},
		{"no credential", "application/json", `{"ceremony":"c-1"}`, http.StatusBadRequest, `"credential"`},
		{"too large", "application/json", `{"ceremony":"` + strings.Repeat("x", web.MaxFormBytes+1) + `"}`, http.StatusRequestEntityTooLarge, ""},
	} {
		for _, route := range []string{"/api/me/passkeys/finish", "/api/passkeys/login/finish"} {
			p := &fakePasskeys{}
			h := newPasskeyAPI(p, &fakeSessions{})
			r := asBob(http.MethodPost, route)
			r.Body = io.NopCloser(strings.NewReader(c.body))
			r.Header.Set("Content-Type", c.ctype)
			w := httptest.NewRecorder()
			if strings.Contains(route, "/me/") {
				h.PasskeyRegisterFinish(w, r)
			} else {
				h.PasskeyLoginFinish(w, r)
			}
			var body struct{ Error struct{ Message string } }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Errorf("%s to %s: the error is not JSON: %v: %s", c.name, route, err, w.Body.String())
			}
			if w.Code != c.status || !strings.Contains(body.Error.Message, c.says) || p.calls != 0 {
				t.Errorf("%s to %s: status %d, error %q, %d service calls; want %d, %q, none", c.name, route, w.Code, body.Error.Message, p.calls, c.status, c.says)
			}
		}
	}
}

// TestPasskeyLoginSignsIn: a passkey the service accepts signs its owner in
// on this device (a listed session and the session cookie); one it refuses
// is a 401 with no session and no cookie.
func TestPasskeyLoginSignsIn(t *testing.T) {
	answer := `{"ceremony":"c-1","credential":{"id":"AQ","type":"public-key"}}`
	finish := func(p *fakePasskeys, a *fakeSessions) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/passkeys/login/finish", strings.NewReader(answer))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36")
		w := httptest.NewRecorder()
		newPasskeyAPI(p, a).PasskeyLoginFinish(w, r)
		return w
	}

	a := &fakeSessions{}
	ok := &fakePasskeys{finishLogin: func(id, cred string) (imageapp.User, error) {
		if id != "c-1" || cred != `{"id":"AQ","type":"public-key"}` {
			t.Errorf("the service got ceremony %q, answer %s", id, cred)
		}
		return bob, nil
	}}
	w := finish(ok, a)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"username":"bob"`) {
		t.Fatalf("accepted: status %d, body %s; want 200 with bob", w.Code, w.Body.String())
	}
	if len(a.started) != 1 || !strings.Contains(a.started[0].Device, "Chrome") || len(w.Result().Cookies()) == 0 {
		t.Errorf("accepted: sessions %+v, cookies %v; want one session for Chrome and a cookie", a.started, w.Result().Cookies())
	}

	a = &fakeSessions{}
	refused := &fakePasskeys{finishLogin: func(string, string) (imageapp.User, error) {
		return imageapp.User{}, imageapp.Errorf(imageapp.EUNAUTHORIZED, "That passkey did not work here.")
	}}
	w = finish(refused, a)
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "That passkey did not work here.") {
		t.Errorf("refused: status %d, body %s; want 401 with the service's words", w.Code, w.Body.String())
	}
	if len(a.started) != 0 || len(w.Result().Cookies()) != 0 {
		t.Errorf("refused: sessions %+v, cookies %v; want none", a.started, w.Result().Cookies())
	}
}
