package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"

	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// fakePasskeys is the passkey service as one test needs it; a method it
// does not set panics through the nil interface it embeds.
type fakePasskeys struct {
	Passkeys
	list        []imageapp.Passkey
	listErr     error
	finishLogin func(id, answer string) (imageapp.User, error)
	calls       int
	registered  []string // "ceremony name answer" of each registration finished
	removed     []string
}

func (f *fakePasskeys) List(context.Context, imageapp.User) ([]imageapp.Passkey, error) {
	f.calls++
	return f.list, f.listErr
}

func (f *fakePasskeys) FinishLogin(_ context.Context, id string, answer io.Reader) (imageapp.User, error) {
	f.calls++
	b, err := io.ReadAll(answer)
	if err != nil || f.finishLogin == nil {
		return imageapp.User{}, imageapp.Errorf(imageapp.EUNAUTHORIZED, "This test takes no passkey.")
	}
	return f.finishLogin(id, string(b))
}

func (f *fakePasskeys) FinishRegistration(_ context.Context, _ imageapp.User, id, name string, answer io.Reader) (imageapp.Passkey, error) {
	f.calls++
	b, _ := io.ReadAll(answer)
	f.registered = append(f.registered, id+" "+name+" "+string(b))
	if id != "c-1" {
		return imageapp.Passkey{}, imageapp.Errorf(imageapp.EINVALID, "That passkey could not be added. Try again.")
	}
	return imageapp.Passkey{ID: []byte{0x02}, Name: name, Created: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}, nil
}

// BeginRegistration and BeginLogin start ceremony c-1 with the challenge
// "hello".
func (f *fakePasskeys) BeginRegistration(context.Context, imageapp.User) (*protocol.CredentialCreation, string, error) {
	f.calls++
	return &protocol.CredentialCreation{Response: protocol.PublicKeyCredentialCreationOptions{Challenge: []byte("hello")}}, "c-1", nil
}

func (f *fakePasskeys) BeginLogin(context.Context) (*protocol.CredentialAssertion, string, error) {
	f.calls++
	return &protocol.CredentialAssertion{Response: protocol.PublicKeyCredentialRequestOptions{Challenge: []byte("hello")}}, "c-1", nil
}

// Remove removes bob's one passkey, "Ag".
func (f *fakePasskeys) Remove(_ context.Context, u imageapp.User, id string) error {
	f.calls++
	if u.ID != bob.ID || id != "Ag" {
		return imageapp.Errorf(imageapp.ENOTFOUND, "That passkey is not one of yours.")
	}
	f.removed = append(f.removed, id)
	return nil
}

func newPasskeyAPI(p *fakePasskeys, a *webtest.Accounts) *Handlers {
	return newHandlers(a, &fakeMessaging{}).WithPasskeys(p)
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
		newPasskeyAPI(&fakePasskeys{list: c.list}, &webtest.Accounts{}).MyPasskeys(w, asBob(http.MethodGet, "/api/me/passkeys"))
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
			h := newPasskeyAPI(p, &webtest.Accounts{})
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
	finish := func(p *fakePasskeys, a *webtest.Accounts) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/passkeys/login/finish", strings.NewReader(answer))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36")
		w := httptest.NewRecorder()
		newPasskeyAPI(p, a).PasskeyLoginFinish(w, r)
		return w
	}

	a := &webtest.Accounts{}
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
	if len(a.Started) != 1 || !strings.Contains(a.Started[0].Device, "Chrome") || len(w.Result().Cookies()) == 0 {
		t.Errorf("accepted: sessions %+v, cookies %v; want one session for Chrome and a cookie", a.Started, w.Result().Cookies())
	}

	a = &webtest.Accounts{}
	refused := &fakePasskeys{finishLogin: func(string, string) (imageapp.User, error) {
		return imageapp.User{}, imageapp.Errorf(imageapp.EUNAUTHORIZED, "That passkey did not work here.")
	}}
	w = finish(refused, a)
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "That passkey did not work here.") {
		t.Errorf("refused: status %d, body %s; want 401 with the service's words", w.Code, w.Body.String())
	}
	if len(a.Started) != 0 || len(w.Result().Cookies()) != 0 {
		t.Errorf("refused: sessions %+v, cookies %v; want none", a.Started, w.Result().Cookies())
	}
}

// TestMyPasskeysUnavailable: a list the service cannot read is its status
// and words in the error shape.
func TestMyPasskeysUnavailable(t *testing.T) {
	p := &fakePasskeys{listErr: imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w := webtest.Serve(newPasskeyAPI(p, &webtest.Accounts{}).MyPasskeys, asBob(http.MethodGet, "/api/me/passkeys"))
	if code, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || code != imageapp.EUNAVAILABLE || msg != "The store is busy." {
		t.Errorf("%d %s %q; want 503 with the service's words", w.Code, code, msg)
	}
}

// TestCeremoniesBeginWithTheirOptions: both begin routes answer the
// ceremony's ID and the options navigator.credentials takes, under
// "publicKey"; past the abuse limit they are a 429 before the service is
// asked.
func TestCeremoniesBeginWithTheirOptions(t *testing.T) {
	for name, begin := range map[string]func(h *Handlers) http.HandlerFunc{
		"add":     func(h *Handlers) http.HandlerFunc { return h.PasskeyRegisterBegin },
		"sign in": func(h *Handlers) http.HandlerFunc { return h.PasskeyLoginBegin },
	} {
		p := &fakePasskeys{}
		h := begin(newHandlers(nil, &fakeMessaging{}, webtest.OneTryEach).WithPasskeys(p))
		w := webtest.Serve(h, bobWith(http.MethodPost, "/api/passkeys/begin", "", ""))
		var reply struct {
			Ceremony string
			Options  struct {
				PublicKey struct{ Challenge string }
			}
		}
		decode(t, w, &reply)
		if w.Code != http.StatusOK || reply.Ceremony != "c-1" || reply.Options.PublicKey.Challenge != "aGVsbG8" {
			t.Errorf("%s: %d %s; want ceremony c-1 and its challenge under publicKey", name, w.Code, w.Body)
		}
		w = webtest.Serve(h, bobWith(http.MethodPost, "/api/passkeys/begin", "", ""))
		if code, _ := apiError(t, w); w.Code != http.StatusTooManyRequests || code != imageapp.ERATELIMITED || w.Header().Get("Retry-After") == "" || p.calls != 1 {
			t.Errorf("%s again: %d %s, %d service calls; want 429 with Retry-After, one call", name, w.Code, code, p.calls)
		}
	}
}

// TestPasskeyRegisterFinishAddsIt: the browser's answer reaches the service
// as it came, with the ceremony and the name; the new passkey is a 201 in
// the list's shape; one the service refuses is its 400 and words.
func TestPasskeyRegisterFinishAddsIt(t *testing.T) {
	p := &fakePasskeys{}
	h := newPasskeyAPI(p, &webtest.Accounts{})
	w := webtest.Serve(h.PasskeyRegisterFinish, bobWith(http.MethodPost, "/api/me/passkeys/finish", "application/json", `{"ceremony":"c-1","name":"Phone","credential":{"id":"Ag"}}`))
	if got, want := strings.TrimSpace(w.Body.String()), `{"id":"Ag","name":"Phone","created":"2026-12-01T09:00:00Z"}`; w.Code != http.StatusCreated || got != want {
		t.Errorf("%d %s; want 201 %s", w.Code, got, want)
	}
	if len(p.registered) != 1 || p.registered[0] != `c-1 Phone {"id":"Ag"}` {
		t.Errorf("the service got %q; want the ceremony, the name and the answer", p.registered)
	}
	w = webtest.Serve(h.PasskeyRegisterFinish, bobWith(http.MethodPost, "/api/me/passkeys/finish", "application/json", `{"ceremony":"c-old","name":"Phone","credential":{"id":"Ag"}}`))
	if code, msg := apiError(t, w); w.Code != http.StatusBadRequest || code != imageapp.EINVALID || msg != "That passkey could not be added. Try again." {
		t.Errorf("refused: %d %s %q; want 400 with the service's words", w.Code, code, msg)
	}
}

// TestPasskeyRemove: DELETE /api/me/passkeys/{id} removes that passkey, 204
// with no body; one that is not bob's is the service's 404 and words.
func TestPasskeyRemove(t *testing.T) {
	p := &fakePasskeys{}
	h := newPasskeyAPI(p, &webtest.Accounts{})
	w := webtest.Serve(h.PasskeyRemove, webtest.WithParam(bobWith(http.MethodDelete, "/api/me/passkeys/Ag", "", ""), "id", "Ag"))
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 || len(p.removed) != 1 {
		t.Errorf("%d %q, removed %q; want 204 and Ag removed", w.Code, w.Body, p.removed)
	}
	w = webtest.Serve(h.PasskeyRemove, webtest.WithParam(bobWith(http.MethodDelete, "/api/me/passkeys/Aw", "", ""), "id", "Aw"))
	if code, msg := apiError(t, w); w.Code != http.StatusNotFound || code != imageapp.ENOTFOUND || msg != "That passkey is not one of yours." || len(p.removed) != 1 {
		t.Errorf("not bob's: %d %s %q; want 404 with the service's words", w.Code, code, msg)
	}
}
