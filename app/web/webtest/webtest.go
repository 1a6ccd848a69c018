// Package webtest holds what the handler tests of the two clients share:
// the people they sign in, a fake account service, the requests they build
// and the decrypted image a fake messaging service hands on. Both app/web/api and app/web/pages call the same core steps (a
// login, a send, a password change), so one fake keeps their tests agreed
// on what the account service answers.
//
// Only tests import it; production code never does.
package webtest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/ratelimit"
	"imageapp/app/web"
)

// Bob is the person the tests sign in, in session "s-1"; his password is
// Password. (A function, not a variable: no test can change him for the
// others.)
func Bob() imageapp.User {
	return imageapp.User{ID: "u-bob", Username: "bob", Email: "bob@example.com"}
}

// Alice is who Bob writes to.
func Alice() imageapp.User {
	return imageapp.User{ID: "u-alice", Username: "alice", Email: "alice@example.com"}
}

// Password is Bob's password, the one Accounts takes.
const Password = "correct horse battery"

// Options are the core's options as app/server sets them, over the fakes a
// and m, with a 1 MiB upload limit and a log that goes nowhere. a and m may
// be nil when a test's handlers never reach them.
func Options(a web.Accounts, m web.Messaging) web.Options {
	return web.Options{
		Accounts:       a,
		Messaging:      m,
		MaxUploadBytes: 1 << 20,
		CookieKeys:     cookiekeys.NewLive(cookiekeys.Single(cookiekeys.New())),
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// OneTryEach allows one account action per client address (and per
// person) an hour: the second is refused.
func OneTryEach(o *web.Options) {
	once := ratelimit.Rule{Burst: 1, Every: time.Hour}
	o.Limits = web.Limits{PerIP: once, PerUser: once}
}

// AsBob is r as RequireUser hands it on for Bob's session s-1.
func AsBob(r *http.Request) *http.Request {
	return web.AsUser(r, Bob(), "s-1", time.Now())
}

// WithParam is r as chi hands it on, with the route's {name} set.
func WithParam(r *http.Request, name, value string) *http.Request {
	rc := chi.NewRouteContext()
	rc.URLParams.Add(name, value)
	return r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
}

// WithCookies adds the cookies w set to r, as the browser sends them next.
func WithCookies(r *http.Request, w *httptest.ResponseRecorder) *http.Request {
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

// Serve runs h on r.
func Serve(h http.HandlerFunc, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h(w, r)
	return w
}

// Clears reports whether w clears a cookie whose name starts with prefix.
func Clears(w *httptest.ResponseRecorder, prefix string) bool {
	for _, c := range w.Result().Cookies() {
		if strings.HasPrefix(c.Name, prefix) && c.MaxAge < 0 {
			return true
		}
	}
	return false
}

// Part is one part of a multipart upload: a field, or a file when Filename
// is set.
type Part struct{ Name, Filename, Body string }

// Upload is Bob's multipart POST to target of parts, in this order (a
// script may put the image before the recipient).
func Upload(target string, parts ...Part) *http.Request {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		if p.Filename != "" {
			w, _ = mw.CreateFormFile(p.Name, p.Filename)
		} else {
			w, _ = mw.CreateFormField(p.Name)
		}
		io.WriteString(w, p.Body)
	}
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, target, &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return AsBob(r)
}

// Field is a form field of an upload.
func Field(name, value string) Part { return Part{Name: name, Body: value} }

// File is a file of an upload, under the form's name and its own filename.
func File(name, filename, body string) Part { return Part{Name: name, Filename: filename, Body: body} }

// Decrypted is an image's decrypted bytes as the messaging service hands
// them on; Closed reports whether the handler closed them.
type Decrypted struct {
	*strings.Reader
	Closed bool
}

func (d *Decrypted) Close() error {
	d.Closed = true
	return nil
}

// Image is m's image, decrypted already to body, as the messaging service
// answers an open (messaging.NewImage), and the bytes under it.
func Image(m *imageapp.Message, body string) (*messaging.Image, *Decrypted) {
	d := &Decrypted{Reader: strings.NewReader(body)}
	return messaging.NewImage(m, d), d
}
