package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"imageapp/app/imageapp"
)

const (
	sessionAbsolute = 12 * time.Hour  // a login lasts at most this long
	sessionIdle     = 2 * time.Hour   // and ends after this long unused
	seenResolution  = time.Minute     // refresh the idle clock at most this often
	touchResolution = 5 * time.Minute // and the session list's "last seen" at most this often
)

type ctxKey int

const (
	userKey  ctxKey = 0
	beganKey ctxKey = 1 // when RequireUser let the request in
	sidKey   ctxKey = 2 // the session ID of the request's cookie
)

// CurrentUser returns the logged-in user put in the context by RequireUser.
func CurrentUser(r *http.Request) (imageapp.User, bool) {
	u, ok := r.Context().Value(userKey).(imageapp.User)
	return u, ok
}

// SessionUser reads the session cookie and loads its user. An expired,
// ended or tampered cookie is simply no session.
func (s *Server) SessionUser(w http.ResponseWriter, r *http.Request) (imageapp.User, bool) {
	u, _, ok := s.SessionOf(w, r)
	return u, ok
}

// SessionOf is sessionUser with the cookie's session ID.
func (s *Server) SessionOf(w http.ResponseWriter, r *http.Request) (imageapp.User, string, bool) {
	u, sid, err := s.checkSession(w, r)
	return u, sid, err == nil
}

// errNoSession is checkSession's answer for a request without a working
// session: none, expired, ended or tampered with.
var errNoSession = imageapp.Errorf(imageapp.EUNAUTHORIZED, "Log in first.")

// checkSession is sessionOf that tells why there is no session: errNoSession,
// or the error of a store that could not say (down, or too slow).
func (s *Server) checkSession(w http.ResponseWriter, r *http.Request) (imageapp.User, string, error) {
	sess, err := s.sessionStore().Get(r, s.cookie)
	if err != nil || sess.IsNew {
		return imageapp.User{}, "", errNoSession
	}
	sid, _ := sess.Values["sid"].(string)
	uid, _ := sess.Values["uid"].(string)
	name, _ := sess.Values["name"].(string)
	ver, _ := sess.Values["ver"].(int64)
	iat, _ := sess.Values["iat"].(int64)
	seen, _ := sess.Values["seen"].(int64)
	kept, _ := sess.Values["keep"].(bool)
	now := s.now()
	if uid == "" || name == "" || !sessionLive(now, time.Unix(iat, 0), time.Unix(seen, 0), kept) {
		return imageapp.User{}, "", errNoSession
	}
	u, listed, err := s.accounts.ActiveSession(r.Context(), uid, name, sid, ver)
	if err != nil {
		if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
			return imageapp.User{}, "", errNoSession
		}
		s.log.ErrorContext(r.Context(), "load session user", "err", err)
		return imageapp.User{}, "", err
	}
	if now.Sub(time.Unix(seen, 0)) > seenResolution && !isBackgroundRefresh(r) {
		sess.Values["seen"] = now.Unix()
		sess.Options.MaxAge = cookieMaxAge(kept)
		if err := sess.Save(r, w); err != nil {
			s.log.ErrorContext(r.Context(), "refresh session", "err", err)
		}
		if now.Sub(listed.LastSeen) > touchResolution {
			if err := s.accounts.TouchSession(r.Context(), u, sid, now); err != nil {
				s.log.ErrorContext(r.Context(), "touch session", "err", err) // only the list's "last seen" lags
			}
		}
	}
	return u, sid, nil
}

// inboxRefreshSource is htmx's HX-Source header (tag#id of the requesting
// element) on the inbox's self-refresh, views.InboxList.
const inboxRefreshSource = "div#inbox"

// isBackgroundRefresh tells a page refreshing itself, or its live event
// stream, which are not the person's use and must not keep an idle session
// alive.
func isBackgroundRefresh(r *http.Request) bool {
	return r.Header.Get("HX-Source") == inboxRefreshSource || IsEventStream(r)
}

// RequireUser lets logged-in users through; others get 401 (API) or are
// sent to the login page, which brings them back afterwards.
func (s *Server) RequireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now() // before the handler reads anything: see pageSince
		u, sid, err := s.checkSession(w, r)
		if err == nil {
			next.ServeHTTP(w, AsUser(r, u, sid, began))
			return
		}
		if imageapp.ErrorCode(err) == imageapp.EUNAVAILABLE {
			// The session may well be fine: the store cannot say now. A
			// retryable 503, not a logout.
			s.Fail(w, r, err)
			return
		}
		if isAPI(r) {
			s.JSONError(w, r, imageapp.Errorf(imageapp.EUNAUTHORIZED, "Log in first."))
			return
		}
		back := ""
		if r.Method == http.MethodGet {
			back = r.URL.RequestURI()
		}
		if IsHTMX(r) {
			// A Redirect would be followed inside the fetch and the login
			// page swapped into a fragment; htmx loads this page instead.
			if u, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && u.Path != "" {
				back = u.RequestURI()
			}
			w.Header().Set("HX-Redirect", loginURL(back))
			s.Fail(w, r, imageapp.Errorf(imageapp.EUNAUTHORIZED, "Your session has ended. Log in again."))
			return
		}
		http.Redirect(w, r, loginURL(back), http.StatusSeeOther)
	})
}

// AsUser is r as RequireUser lets it through: run by u, from the session
// sid, let in at began (see pageSince). The clients' handler tests build
// their requests with it.
func AsUser(r *http.Request, u imageapp.User, sid string, began time.Time) *http.Request {
	ctx := context.WithValue(context.WithValue(r.Context(), userKey, u), beganKey, began)
	return r.WithContext(context.WithValue(ctx, sidKey, sid))
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
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u imageapp.User, keep bool) error {
	sess, _ := s.sessionStore().New(r, s.cookie) // a decode error only means no usable old cookie
	sess.IsNew = true
	sess.Values = map[any]any{}
	now := s.now().Unix()
	sess.Values["uid"] = u.ID
	sess.Values["name"] = u.Username
	sess.Values["ver"] = u.SessionVersion
	sid := imageapp.NewID()
	sess.Values["sid"] = sid
	sess.Values["iat"] = now
	sess.Values["seen"] = now
	if keep {
		sess.Values["keep"] = true
	}
	sess.Options.MaxAge = cookieMaxAge(keep)
	at := time.Unix(now, 0)
	listed := imageapp.Session{ID: sid, Device: deviceName(r.UserAgent()), Created: at, LastSeen: at, KeepSignedIn: keep}
	if err := s.accounts.StartSession(r.Context(), u, listed); err != nil {
		return err
	}
	return sess.Save(r, w)
}

// CurrentSID is the session ID of the request's cookie, put in the
// context by RequireUser.
func CurrentSID(r *http.Request) string {
	sid, _ := r.Context().Value(sidKey).(string)
	return sid
}

// LogOut logs this device out: its session leaves the user's list, so
// the cookie, copies included, stops working on every instance, and the
// browser's cookie is cleared. The person's other devices stay logged in.
func (s *Server) LogOut(w http.ResponseWriter, r *http.Request) error {
	if u, sid, ok := s.SessionOf(w, r); ok {
		if err := s.accounts.EndSession(r.Context(), u, sid); err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			return err
		}
	}
	sess, _ := s.sessionStore().New(r, s.cookie)
	sess.Values = map[any]any{}
	sess.Options.MaxAge = -1
	return sess.Save(r, w)
}
