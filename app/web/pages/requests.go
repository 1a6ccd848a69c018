package pages

import (
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web"
	"imageapp/views"
)

// RequestSubmit is POST /requests/{username}/{accept,delete,block}.
func (s *Handlers) RequestSubmit(action web.RequestAction) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := web.ReadForm[web.RequestForm](w, r)
		if err == nil && action != web.AcceptRequests && f.Confirm != "yes" {
			s.requestConfirm(w, r, action, f)
			return
		}
		if err == nil {
			_, err = s.Decide(r, action)
		}
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		web.Redirect(w, r, localRequestBack(f.Back), "request-"+pastTense(action))
	}
}

func pastTense(a web.RequestAction) string {
	switch a {
	case web.AcceptRequests:
		return "accepted"
	case web.BlockRequests:
		return "blocked"
	}
	return "deleted"
}

// requestConfirm asks before deleting (or blocking and deleting) someone's
// requests: 404 for an unknown user, as the decision itself would.
func (s *Handlers) requestConfirm(w http.ResponseWriter, r *http.Request, action web.RequestAction, f web.RequestForm) {
	u, _ := web.CurrentUser(r)
	other, n, err := s.messaging.RequestsFrom(r.Context(), u, chi.URLParam(r, "username"))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	q := views.RequestQuestion{Username: other.Username, Count: n, Block: action == web.BlockRequests, Back: localRequestBack(f.Back)}
	s.Render(w, r, http.StatusOK, views.RequestConfirmPage(s.frame(r, views.RequestQuestionTitle(q), "inbox"), q))
}

// localRequestBack is where a decision returns to: back if it is local, else /requests.
func localRequestBack(back string) string {
	if back == "" {
		return "/requests"
	}
	return web.LocalPath(back)
}

// RequestsPage is GET /requests.
func (s *Handlers) RequestsPage(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	reqs, err := s.messaging.Requests(r.Context(), u)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v := views.RequestsView{Requests: requestViews(reqs), On: u.MessageRequests}
	if web.IsHTMX(r) { // the list reloading itself on a live event
		s.Render(w, r, http.StatusOK, views.RequestsList(v))
		return
	}
	s.Render(w, r, http.StatusOK, views.RequestsPage(s.frame(r, "Message requests", "inbox"), v))
}

func requestViews(reqs []messaging.Request) []views.Request {
	out := make([]views.Request, 0, len(reqs))
	for _, req := range reqs {
		out = append(out, views.Request{Username: req.From.Username, Count: req.Count, Latest: req.Latest})
	}
	return out
}

// requestCount is how many people wait for the viewer to accept them. It
// asks even with the setting off: requests from before it was turned off
// still wait.
func (s *Handlers) requestCount(r *http.Request) (int, error) {
	u, _ := web.CurrentUser(r)
	return s.messaging.RequestsWaiting(r.Context(), u)
}

// requestsFrom is how many of from's images wait as requests to the
// viewer, asked only when the page shows one: most conversations have none,
// and cost nothing more.
func (s *Handlers) requestsFrom(r *http.Request, from imageapp.User, shown []*imageapp.Message) (int, error) {
	u, _ := web.CurrentUser(r)
	if !slices.ContainsFunc(shown, func(m *imageapp.Message) bool { return m.Request && m.RecipientID == u.ID }) {
		return 0, nil
	}
	_, n, err := s.messaging.RequestsFrom(r.Context(), u, from.Username)
	return n, err
}
