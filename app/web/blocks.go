package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"imageapp/views"
)

// Blocking someone: from the conversation page (a form, JS off too) or the
// settings page's list (unblock), and the JSON twins.

type blockForm struct {
	Back string `form:"back"` // the page to return to
}

// setBlocked blocks or unblocks {username} for the person asking.
func (s *Server) setBlocked(r *http.Request, blocked bool) error {
	u, _ := currentUser(r)
	_, err := s.messaging.SetBlocked(r.Context(), u, chi.URLParam(r, "username"), blocked)
	return err
}

func (s *Server) blockSubmit(blocked bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := readForm[blockForm](w, r)
		if err == nil {
			err = s.setBlocked(r, blocked)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		flash := "blocked"
		if !blocked {
			flash = "unblocked"
		}
		redirect(w, r, localPath(f.Back), flash)
	}
}

func (s *Server) apiBlock(blocked bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.setBlocked(r, blocked); err != nil {
			s.writeJSONError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

type blockedReply struct {
	Users []personJSON `json:"users"`
}

func (s *Server) apiBlocked(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	people, err := s.messaging.BlockedPeople(r.Context(), u)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := blockedReply{Users: make([]personJSON, 0, len(people))}
	for _, p := range people {
		out.Users = append(out.Users, personOf(p))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// withBlocked gives the settings page the people the person blocks.
func (s *Server) withBlocked(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, _ := currentUser(r)
		people, err := s.messaging.BlockedPeople(r.Context(), u)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		names := make([]string, len(people))
		for i, p := range people {
			names[i] = p.Username
		}
		next(w, r.WithContext(views.WithBlocked(r.Context(), names)))
	}
}
