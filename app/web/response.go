package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"imageapp/app/imageapp"
	"imageapp/views"
)

// Render writes a templ component as an HTML page or fragment.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := c.Render(views.WithZone(r.Context(), readerZone(r)), w); err != nil {
		s.log.ErrorContext(r.Context(), "render", "path", r.URL.Path, "err", err)
	}
}

// JSON writes v as the JSON reply.
//
// The reply carries its length: a flushed answer (a send's, before its
// preview is made) is then whole at the client, which would otherwise wait
// for the end of a chunked body until the handler and its middleware return.
func (s *Server) JSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // our own reply types: a bug, not the client's doing
		s.log.ErrorContext(r.Context(), "encode JSON", "path", r.URL.Path, "err", err)
		status = http.StatusInternalServerError
		body, _ = json.Marshal(errorJSON{Error: errorBody{Code: imageapp.EINTERNAL, Message: imageapp.ErrorMessage(err)}})
	}
	body = append(body, '\n')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if _, err := w.Write(body); err != nil && r.Context().Err() == nil {
		s.log.ErrorContext(r.Context(), "write JSON", "path", r.URL.Path, "err", err)
	}
}

// Fail answers with an error as JSON under /api/, else as an error page
// (or, for htmx, the same page markup, which htmx 4 swaps in for 4xx/5xx).
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		s.JSONError(w, r, err)
		return
	}
	e := s.ErrorReply(w, r, err)
	s.Render(w, r, e.Status, views.ErrorPage(s.errorFrame(r, "Error"), e.Status, e.Message))
}

func (s *Server) JSONError(w http.ResponseWriter, r *http.Request, err error) {
	e := s.ErrorReply(w, r, err)
	s.JSON(w, r, e.Status, errorJSON{Error: errorBody{Code: e.Code, Message: e.Message}})
}

// Redirect sends a 303 to a path of ours, with an optional flash.
func Redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		u, _ := url.Parse(path) // our own paths: they parse
		q := u.Query()
		q.Set("flash", flash)
		u.RawQuery = q.Encode()
		path = u.String()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// Page builds the frame of a page: title, navigation with the person's
// name, and a flash message passed by redirect (?flash=…). The unread count
// in the navigation is the caller's to add (pages read it; see errorFrame).
func (s *Server) Page(r *http.Request, title, active string) views.Page {
	p := views.Page{Title: title, Nav: views.Nav{Active: active}, Since: pageSince(r)}
	if u, ok := CurrentUser(r); ok {
		p.Nav.Username = u.Username
	}
	if msg, ok := flashes[r.URL.Query().Get("flash")]; ok {
		p.Flash = &views.Flash{Kind: "ok", Text: msg}
	}
	return p
}

// errorFrame is the frame of an error page, with the unread count in its
// navigation like every page a logged-in person sees; a count that cannot
// be read is logged and left out.
func (s *Server) errorFrame(r *http.Request, title string) views.Page {
	p := s.Page(r, title, "")
	if u, ok := CurrentUser(r); ok {
		if n, err := s.messaging.UnreadCount(r.Context(), u); err == nil {
			p.Nav.Unread = n
		} else {
			s.log.ErrorContext(r.Context(), "count unread", "err", err)
		}
	}
	return p
}

// flashes are the notices a Redirect can ask for; a fixed set, so a link
// cannot put arbitrary text on our pages. All of them are here, in one
// literal that nothing changes at run time.
var flashes = map[string]string{
	"signed-up":           "Account created. We emailed you a 6-digit code.",
	"resent":              "If that account is waiting for confirmation, we emailed it a new code. Use the newest email.",
	"confirmed":           "Email confirmed. You can log in now.",
	"confirmed-signed-in": "Email confirmed. You are logged in.",
	"logged-out":          "You are logged out.",
	"reset-sent":          "If that account exists, we emailed it a code.",
	"reset-done":          "Password changed. Log in with the new one.",
	"deleted":             "The image was deleted.",
	"sent":                "Image sent.",
	"sent-album":          "Images sent, as one album.",
	"mail-again":          "If your address was not confirmed yet, we asked for the confirmation email again. Follow its link.",
	"account-deleted":     "Your account is deleted. Nobody can open the images sent to you any more.",

	"blocked":   "Blocked. They can no longer send you images, and are not told.",
	"unblocked": "Unblocked. Their new images reach you again.",

	"email-code-sent": "We emailed a 6-digit code to your new address. Enter it below to make the change.",
	"email-changed":   "Email changed. We told your old address.",
	"email-cancelled": "Email change cancelled. Your address stays as it was.",

	"notifications-saved": "Email notification setting saved.",
	"password-changed":    "Password changed. Other devices are logged out.",
	"privacy-saved":       "Privacy settings saved.",

	"request-accepted": "Accepted. Their images are in your inbox.",
	"request-deleted":  "Deleted.",
	"request-blocked":  "Blocked and deleted. They are not told.",

	"session-ended":  "That device is logged out.",
	"sessions-ended": "Every other device is logged out.",

	"passkey-added":   "Passkey added. You can sign in with it from the login page.",
	"passkey-removed": "Passkey removed. It no longer signs you in.",

	"two-factor-off": "Two-factor is off. Logging in asks for your password only.",
}

func URLEscape(s string) string { return url.QueryEscape(s) }
