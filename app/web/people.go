package web

import (
	"net/http"

	"imageapp/app/imageapp"
)

func (s *Server) People(r *http.Request) (string, imageapp.UserPage, error) {
	me, _ := CurrentUser(r)
	q := r.URL.Query()
	page, err := s.accounts.People(r.Context(), me, q.Get("q"), q.Get("cursor"))
	return q.Get("q"), page, err
}
