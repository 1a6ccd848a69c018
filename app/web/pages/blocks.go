package pages

import (
	"net/http"

	"imageapp/app/web"
)

type blockForm struct {
	Back string `form:"back"` // the page to return to
}

// BlockSubmit is POST /people/{username}/block and POST /people/{username}/unblock.
func (s *Handlers) BlockSubmit(blocked bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := web.ReadForm[blockForm](w, r)
		if err == nil {
			err = s.SetBlocked(r, blocked)
		}
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		flash := "blocked"
		if !blocked {
			flash = "unblocked"
		}
		web.Redirect(w, r, web.LocalPath(f.Back), flash)
	}
}

// blockedNames are the usernames of the people the person blocks.
func (s *Handlers) blockedNames(r *http.Request) ([]string, error) {
	u, _ := web.CurrentUser(r)
	people, err := s.messaging.BlockedPeople(r.Context(), u)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(people))
	for i, p := range people {
		names[i] = p.Username
	}
	return names, nil
}
