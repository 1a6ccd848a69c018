package web

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/views"
)

func (s *Server) people(r *http.Request) (string, imageapp.UserPage, error) {
	me, _ := currentUser(r)
	q := r.URL.Query()
	page, err := s.accounts.People(r.Context(), me, q.Get("q"), q.Get("cursor"))
	return q.Get("q"), page, err
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	q, page, err := s.people(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people := make([]views.Person, 0, len(page.Users))
	for _, u := range page.Users {
		people = append(people, views.Person{Username: u.Username})
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.UserList(q, people, page.Next))
		return
	}
	s.render(w, r, http.StatusOK, views.UsersPage(s.page(r, "People", "users"), q, people, page.Next))
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	_, page, err := s.people(r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := peopleReply{Users: make([]personJSON, 0, len(page.Users)), NextCursor: page.Next}
	for _, u := range page.Users {
		out.Users = append(out.Users, personOf(u))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// apiMe is the logged-in person, their unread count, the upload limits and
// how full their storage is.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	n, err := s.messaging.UnreadCount(r.Context(), u)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	storage, err := s.storageOf(r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, meReply{User: accountOf(u), Unread: n, Limits: limitsJSON{
		MaxUploadBytes: s.maxUpload, MaxCaptionLength: messaging.MaxCaptionLength, ImageTypes: messaging.ImageTypes(),
	}, Storage: storage})
}
