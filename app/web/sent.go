package web

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/views"
)

func (s *Server) sentPage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	page, err := s.messaging.List(r.Context(), u, imageapp.MessageQuery{Box: imageapp.Sent, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.SentPage(s.page(r, "Sent", "sent"), listed(page.Messages), page.Next))
}
