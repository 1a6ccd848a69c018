package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"imageapp/app/imageapp"
)

const (
	sessionAbsolute = 12 * time.Hour // a login lasts at most this long
	sessionIdle     = 2 * time.Hour  // and ends after this long unused
	seenResolution  = time.Minute    // refresh the idle clock at most this often
)

type ctxKey int

const (
	userKey  ctxKey = 0
	beganKey ctxKey = 1 // when requireUser let the request in
)

// currentUser returns the logged-in user put in the context by requireUser.
func currentUser(r *http.Request) (imageapp.User, bool) {
	u, ok := r.Context().Value(userKey).(imageapp.User)
	return u, ok
}

// sessionUser reads the session cookie and loads its user. An expired,
// ended or tampered cookie is simply no session.
func (s *Server) sessionUser(w http.ResponseWriter, r *http.Request) (imageapp.User, bool) {
	sess, err := s.sessionStore().Get(r, s.cookie)
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
	u, err := s.accounts.SessionUser(r.Context(), uid, name, ver)
	if err != nil {
		if imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			s.log.Error("load session user", "err", err)
		}
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

// isBackgroundRefresh tells a page refreshing itself, or its live event
// stream, which are not the person's use and must not keep an idle session
// alive.
func isBackgroundRefresh(r *http.Request) bool {
	return r.Header.Get("HX-Source") == inboxRefreshSource || isEventStream(r)
}

// requireUser lets logged-in users through; others get 401 (API) or are
// sent to the login page, which brings them back afterwards.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now() // before the handler reads anything: see pageSince
		u, ok := s.sessionUser(w, r)
		if ok {
			ctx := context.WithValue(context.WithValue(r.Context(), userKey, u), beganKey, began)
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
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
	})
}

// loginURL is the login page, which brings the person back to next.
func loginURL(next string) string {
	if next == "" {
		return "/login"
	}
	return "/login?" + url.Values{"next": {next}}.Encode()
}

// startSession makes a brand-new session for u: a fresh cookie with a new
// random session ID, so a session fixed before login is worthless after it.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u imageapp.User) error {
	sess, _ := s.sessionStore().New(r, s.cookie) // a decode error only means no usable old cookie
	sess.IsNew = true
	sess.Values = map[any]any{}
	now := s.now().Unix()
	sess.Values["uid"] = u.ID
	sess.Values["name"] = u.Username
	sess.Values["ver"] = u.SessionVersion
	sess.Values["sid"] = imageapp.NewID()
	sess.Values["iat"] = now
	sess.Values["seen"] = now
	return sess.Save(r, w)
}

// endSession logs the user out everywhere: every cookie issued before,
// copies included, stops working, and the browser's cookie is cleared.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if u, ok := s.sessionUser(w, r); ok {
		if err := s.accounts.EndSessions(r.Context(), u); err != nil {
			return err
		}
	}
	sess, _ := s.sessionStore().New(r, s.cookie)
	sess.Values = map[any]any{}
	sess.Options.MaxAge = -1
	return sess.Save(r, w)
}
