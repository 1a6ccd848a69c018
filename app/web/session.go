package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"imageapp/app/imageapp"
	"imageapp/views"
)

const (
	sessionAbsolute = 12 * time.Hour // a login lasts at most this long
	sessionIdle     = 2 * time.Hour  // and ends after this long unused
	seenResolution  = time.Minute    // refresh the idle clock at most this often
)

type ctxKey int

const userKey ctxKey = 0

// currentUser returns the logged-in user put in the context by requireUser.
func currentUser(r *http.Request) (imageapp.User, bool) {
	u, ok := r.Context().Value(userKey).(imageapp.User)
	return u, ok
}

// sessionUser reads the session cookie and loads its user. An expired or
// tampered cookie is simply no session.
func (s *Server) sessionUser(w http.ResponseWriter, r *http.Request) (imageapp.User, bool) {
	sess, err := s.sessions.Get(r, s.cookie)
	if err != nil || sess.IsNew {
		return imageapp.User{}, false
	}
	uid, _ := sess.Values["uid"].(string)
	name, _ := sess.Values["name"].(string)
	ver, _ := sess.Values["ver"].(int64)
	iat, _ := sess.Values["iat"].(int64)
	seen, _ := sess.Values["seen"].(int64)
	now := s.now()
	if uid == "" || name == "" || now.Sub(time.Unix(iat, 0)) > sessionAbsolute || now.Sub(time.Unix(seen, 0)) > sessionIdle {
		return imageapp.User{}, false
	}
	// By username, the users table's key: one strongly consistent read on
	// DynamoDB, where by ID is an index query and then that read.
	u, err := s.users.UserByUsername(r.Context(), name)
	if err == nil && u.ID != uid {
		err = imageapp.Errorf(imageapp.ENOTFOUND, "The session's user is gone.")
	}
	if err != nil {
		if imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			s.log.Error("load session user", "err", err)
		}
		return imageapp.User{}, false
	}
	if ver != u.SessionVersion { // ended by a logout or a password change
		return imageapp.User{}, false
	}
	if now.Sub(time.Unix(seen, 0)) > seenResolution && !isBackgroundRefresh(r) {
		sess.Values["seen"] = now.Unix()
		if err := sess.Save(r, w); err != nil {
			s.log.Error("refresh session", "err", err)
		}
	}
	return u, true
}

// inboxRefreshSource is htmx's HX-Source header (tag#id of the requesting
// element) on the inbox's self-refresh, views.InboxList.
const inboxRefreshSource = "div#inbox"

// isBackgroundRefresh tells a page refreshing itself, which is not the
// person's use and must not keep an idle session alive.
func isBackgroundRefresh(r *http.Request) bool {
	return r.Header.Get("HX-Source") == inboxRefreshSource
}

// requireUser lets logged-in users through; others get 401 (API) or are
// sent to the login page, which brings them back afterwards.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.sessionUser(w, r)
		if !ok {
			if isAPI(r) {
				s.writeJSONError(w, r, imageapp.Errorf(imageapp.EUNAUTHORIZED, "Log in first."))
				return
			}
			back := ""
			if r.Method == http.MethodGet {
				back = r.URL.RequestURI()
			}
			if isHTMX(r) {
				// A redirect would be followed inside the fetch and the login
				// page swapped into a fragment; htmx loads this page instead.
				if u, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && u.Path != "" {
					back = u.RequestURI()
				}
				w.Header().Set("HX-Redirect", loginURL(back))
				s.fail(w, r, imageapp.Errorf(imageapp.EUNAUTHORIZED, "Your session has ended. Log in again."))
				return
			}
			http.Redirect(w, r, loginURL(back), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, u)))
	})
}

// loginURL is the login page, which brings the person back to next.
func loginURL(next string) string {
	if next == "" {
		return "/login"
	}
	return "/login?" + url.Values{"next": {next}}.Encode()
}

// startSession makes a brand-new session for p: a fresh cookie with a new
// random session ID, so a session fixed before login is worthless after it.
// Missing provisioning (a failed trigger) is done now instead of failing.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, p imageapp.Principal) (imageapp.User, error) {
	u, err := s.users.UserByID(r.Context(), p.ID)
	if err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		return u, err
	}
	if err != nil || !u.Provisioned() {
		s.log.Info("provisioning user lazily at login", "user_id", p.ID)
		if u, err = s.provision(r.Context(), imageapp.User{ID: p.ID, Username: p.Username, Email: p.Email}); err != nil {
			return u, err
		}
	}
	sess, _ := s.sessions.New(r, s.cookie) // a decode error only means no usable old cookie
	sess.IsNew = true
	sess.Values = map[any]any{}
	now := s.now().Unix()
	sess.Values["uid"] = u.ID
	sess.Values["name"] = u.Username
	sess.Values["ver"] = u.SessionVersion
	sess.Values["sid"] = randomID()
	sess.Values["iat"] = now
	sess.Values["seen"] = now
	return u, sess.Save(r, w)
}

// endSession logs the user out everywhere: the version bump voids every
// cookie issued before, including copies, and the browser's cookie is cleared.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if u, ok := s.sessionUser(w, r); ok {
		if err := s.versions.BumpSessionVersion(r.Context(), u.ID); err != nil {
			return err
		}
	}
	sess, _ := s.sessions.New(r, s.cookie)
	sess.Values = map[any]any{}
	sess.Options.MaxAge = -1
	return sess.Save(r, w)
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// page builds the frame of a page: title, navigation with the unread count,
// and a flash message passed by redirect (?flash=…).
func (s *Server) page(r *http.Request, title, active string) views.Page {
	p := views.Page{Title: title, Nav: views.Nav{Active: active}}
	if u, ok := currentUser(r); ok {
		p.Nav.Username = u.Username
		if n, err := s.svc.UnreadCount(r.Context(), u); err == nil {
			p.Nav.Unread = n
		} else {
			s.log.Error("count unread", "err", err)
		}
	}
	if msg, ok := flashes[r.URL.Query().Get("flash")]; ok {
		p.Flash = &views.Flash{Kind: "ok", Text: msg}
	}
	return p
}

// flashes are the notices a redirect can ask for; a fixed set, so a link
// cannot put arbitrary text on our pages.
var flashes = map[string]string{
	"signed-up":  "Account created. We emailed you a 6-digit code.",
	"resent":     "We sent a new code. Use the newest email.",
	"confirmed":  "Email confirmed. You can log in now.",
	"logged-out": "You are logged out.",
	"reset-sent": "If that account exists, we emailed it a code.",
	"reset-done": "Password changed. Log in with the new one.",
	"deleted":    "The image was deleted.",
	"sent":       "Image sent.",
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		s.log.Error("render", "path", r.URL.Path, "err", err)
	}
}

// redirect sends a 303 to a path of ours, with an optional flash.
func redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		u, _ := url.Parse(path)
		q := u.Query()
		q.Set("flash", flash)
		u.RawQuery = q.Encode()
		path = u.String()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// localPath keeps a ?next= target on this site.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return "/inbox"
	}
	return next
}
