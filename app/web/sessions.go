package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"imageapp/views"
)

// "Where you're logged in": the person's active sessions on the settings
// page (and GET /api/me/sessions), each of which they can end. The IDs
// shown are the random session IDs inside the cookies, not the cookies:
// those are signed and encrypted with the server's keys, so knowing an ID
// lets nobody in; it only names a session to end, and only its owner can.

// SessionRows is the person's sessions, this device first.
func (s *Server) SessionRows(r *http.Request) ([]views.SessionRow, error) {
	u, _ := CurrentUser(r)
	list, err := s.accounts.ListSessions(r.Context(), u)
	if err != nil {
		return nil, err
	}
	current, now := CurrentSID(r), s.now()
	rows := make([]views.SessionRow, 0, len(list))
	for _, sess := range list {
		row := views.SessionRow{ID: sess.ID, Device: sess.Device, Created: sess.Created, LastSeen: sess.LastSeen, Current: sess.ID == current, Kept: sess.KeepSignedIn}
		// A session past its hours (12, 2 unused; 30 days unused when kept)
		// logs nobody in any more, though its row stays until it is ended:
		// not shown. The row's last use lags the cookie's by up to
		// touchResolution, so that much more is allowed.
		if !row.Current && !sessionLive(now, sess.Created, sess.LastSeen.Add(touchResolution), sess.KeepSignedIn) {
			continue
		}
		if row.Current {
			rows = append([]views.SessionRow{row}, rows...)
		} else {
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// EndOneSession ends the session the path names; this device's own is a
// logout (its cookie is cleared too). loggedOut tells which it was.
func (s *Server) EndOneSession(w http.ResponseWriter, r *http.Request) (loggedOut bool, err error) {
	sid := chi.URLParam(r, "sid")
	if sid == CurrentSID(r) {
		return true, s.LogOut(w, r)
	}
	u, _ := CurrentUser(r)
	return false, s.accounts.EndSession(r.Context(), u, sid)
}
