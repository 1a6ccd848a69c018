package api

import (
	"net/http"
	"time"

	"imageapp/app/web"
)

type sessionJSON struct {
	ID       string    `json:"id"`
	Device   string    `json:"device"`
	Created  time.Time `json:"created_at"`
	LastSeen time.Time `json:"last_seen"`
	Current  bool      `json:"current"`
	Kept     bool      `json:"kept_signed_in"` // "Keep me signed in on this device": 30 days, sliding
}

type sessionsReply struct {
	Sessions []sessionJSON `json:"sessions"`
}

// Sessions is GET /api/me/sessions: this device first, then last seen first.
func (s *Handlers) Sessions(w http.ResponseWriter, r *http.Request) {
	rows, err := s.SessionRows(r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	reply := sessionsReply{Sessions: make([]sessionJSON, len(rows))}
	for i, row := range rows {
		reply.Sessions[i] = sessionJSON{ID: row.ID, Device: row.Device, Created: row.Created.UTC(), LastSeen: row.LastSeen.UTC(), Current: row.Current, Kept: row.Kept}
	}
	s.JSON(w, r, http.StatusOK, reply)
}

// EndSession is DELETE /api/me/sessions/{sid}: 204, 404 for an ID that
// is not one of the person's sessions.
func (s *Handlers) EndSession(w http.ResponseWriter, r *http.Request) {
	if _, err := s.EndOneSession(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// EndOtherSessions is DELETE /api/me/sessions: every session but this one ends; 204.
func (s *Handlers) EndOtherSessions(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if err := s.accounts.EndOtherSessions(r.Context(), u, web.CurrentSID(r)); err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
