package web

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"imageapp/views"
)

// "Where you're logged in": the person's active sessions on the settings
// page (and GET /api/me/sessions), each of which they can end. The IDs
// shown are the random session IDs inside the cookies, not the cookies:
// those are signed and encrypted with the server's keys, so knowing an ID
// lets nobody in; it only names a session to end, and only its owner can.

// withSessions gives the settings page the person's sessions.
func (s *Server) withSessions(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rows, err := s.sessionRows(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next(w, r.WithContext(views.WithSessions(r.Context(), rows)))
	}
}

// sessionRows is the person's sessions, this device first.
func (s *Server) sessionRows(r *http.Request) ([]views.SessionRow, error) {
	u, _ := currentUser(r)
	list, err := s.accounts.ListSessions(r.Context(), u)
	if err != nil {
		return nil, err
	}
	current := currentSID(r)
	rows := make([]views.SessionRow, 0, len(list))
	for _, sess := range list {
		row := views.SessionRow{ID: sess.ID, Device: sess.Device, Created: sess.Created, LastSeen: sess.LastSeen, Current: sess.ID == current}
		if row.Current {
			rows = append([]views.SessionRow{row}, rows...)
		} else {
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// endOneSession ends the session the path names; this device's own is a
// logout (its cookie is cleared too). loggedOut tells which it was.
func (s *Server) endOneSession(w http.ResponseWriter, r *http.Request) (loggedOut bool, err error) {
	sid := chi.URLParam(r, "sid")
	if sid == currentSID(r) {
		return true, s.endSession(w, r)
	}
	u, _ := currentUser(r)
	return false, s.accounts.EndSession(r.Context(), u, sid)
}

// endSessionSubmit is POST /settings/sessions/{sid}/end.
func (s *Server) endSessionSubmit(w http.ResponseWriter, r *http.Request) {
	loggedOut, err := s.endOneSession(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if loggedOut {
		redirect(w, r, "/login", "logged-out")
		return
	}
	redirect(w, r, "/settings#sessions", "session-ended")
}

// endOthersSubmit is POST /settings/sessions/end-others.
func (s *Server) endOthersSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := s.accounts.EndOtherSessions(r.Context(), u, currentSID(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/settings#sessions", "sessions-ended")
}

type sessionJSON struct {
	ID       string    `json:"id"`
	Device   string    `json:"device"`
	Created  time.Time `json:"created_at"`
	LastSeen time.Time `json:"last_seen"`
	Current  bool      `json:"current"`
}

type sessionsReply struct {
	Sessions []sessionJSON `json:"sessions"`
}

// apiSessions is GET /api/me/sessions: this device first, then last seen first.
func (s *Server) apiSessions(w http.ResponseWriter, r *http.Request) {
	rows, err := s.sessionRows(r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	reply := sessionsReply{Sessions: make([]sessionJSON, len(rows))}
	for i, row := range rows {
		reply.Sessions[i] = sessionJSON{ID: row.ID, Device: row.Device, Created: row.Created.UTC(), LastSeen: row.LastSeen.UTC(), Current: row.Current}
	}
	s.writeJSON(w, r, http.StatusOK, reply)
}

// apiEndSession is DELETE /api/me/sessions/{sid}: 204, 404 for an ID that
// is not one of the person's sessions.
func (s *Server) apiEndSession(w http.ResponseWriter, r *http.Request) {
	if _, err := s.endOneSession(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiEndOtherSessions is DELETE /api/me/sessions: every session but this one ends; 204.
func (s *Server) apiEndOtherSessions(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := s.accounts.EndOtherSessions(r.Context(), u, currentSID(r)); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
