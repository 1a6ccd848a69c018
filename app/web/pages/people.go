package pages

import (
	"net/http"

	"imageapp/app/web"
	"imageapp/views"
)

// UsersPage is GET /users.
func (s *Handlers) UsersPage(w http.ResponseWriter, r *http.Request) {
	q, page, err := s.People(r)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	people := make([]views.Person, 0, len(page.Users))
	for _, u := range page.Users {
		people = append(people, views.Person{Username: u.Username})
	}
	if web.IsHTMX(r) {
		s.Render(w, r, http.StatusOK, views.UserList(q, people, page.Next))
		return
	}
	s.Render(w, r, http.StatusOK, views.UsersPage(s.frame(r, "People", "users"), q, people, page.Next))
}
