package api

import (
	"net/http"

	"imageapp/app/web"
)

// Block is PUT /api/people/{username}/block and DELETE
// /api/people/{username}/block (and the former /api/blocks/{username}).
func (s *Handlers) Block(blocked bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.SetBlocked(r, blocked); err != nil {
			s.JSONError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

type blockedReply struct {
	Users []personJSON `json:"users"`
}

// Blocked is GET /api/me/blocked.
func (s *Handlers) Blocked(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	people, err := s.messaging.BlockedPeople(r.Context(), u)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	out := blockedReply{Users: make([]personJSON, 0, len(people))}
	for _, p := range people {
		out.Users = append(out.Users, personOf(p))
	}
	s.JSON(w, r, http.StatusOK, out)
}
