package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/views"
)

// Message requests: the images of people the viewer does not know wait on
// /requests (and as a banner on the inbox and their conversation) until the
// viewer accepts, deletes or blocks their sender. Delete and Block ask
// first, as deleting a message does: a post without confirm=yes gets the
// question as a page (JS off); static/confirm.js asks in a <dialog>.

// requestForm is the form of Accept, Delete and Block.
type requestForm struct {
	Back    string `form:"back"`    // the page to return to; /requests when absent
	Confirm string `form:"confirm"` // "yes" deletes; anything else asks first
}

// requestAction is what a decision on someone's requests does.
type requestAction string

const (
	acceptRequests requestAction = "accept"
	deleteRequests requestAction = "delete"
	blockRequests  requestAction = "block"
)

// decide carries out action on the requests of {username}.
func (s *Server) decide(r *http.Request, action requestAction) (requestResult, error) {
	u, _ := currentUser(r)
	name := chi.URLParam(r, "username")
	var out requestResult
	var err error
	switch action {
	case acceptRequests:
		_, out.Accepted, err = s.messaging.AcceptRequests(r.Context(), u, name)
		return out, err
	case blockRequests:
		if _, err = s.messaging.SetBlocked(r.Context(), u, name, true); err != nil {
			return out, err
		}
		out.Blocked = true
	}
	_, out.Deleted, err = s.messaging.DeleteRequests(r.Context(), u, name)
	return out, err
}

// requestResult is how many images a decision moved or deleted.
type requestResult struct {
	Accepted int
	Deleted  int
	Blocked  bool
}

// requestSubmit is POST /requests/{username}/{accept,delete,block}.
func (s *Server) requestSubmit(action requestAction) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := readForm[requestForm](w, r)
		if err == nil && action != acceptRequests && f.Confirm != "yes" {
			s.requestConfirm(w, r, action, f)
			return
		}
		if err == nil {
			_, err = s.decide(r, action)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		redirect(w, r, localRequestBack(f.Back), "request-"+pastTense(action))
	}
}

func pastTense(a requestAction) string {
	switch a {
	case acceptRequests:
		return "accepted"
	case blockRequests:
		return "blocked"
	}
	return "deleted"
}

// requestConfirm asks before deleting (or blocking and deleting) someone's
// requests: 404 for an unknown user, as the decision itself would.
func (s *Server) requestConfirm(w http.ResponseWriter, r *http.Request, action requestAction, f requestForm) {
	u, _ := currentUser(r)
	other, n, err := s.messaging.RequestsFrom(r.Context(), u, chi.URLParam(r, "username"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := views.RequestQuestion{Username: other.Username, Count: n, Block: action == blockRequests, Back: localRequestBack(f.Back)}
	s.render(w, r, http.StatusOK, views.RequestConfirmPage(s.page(r, views.RequestQuestionTitle(q), "inbox"), q))
}

// localRequestBack is where a decision returns to: back if it is local, else /requests.
func localRequestBack(back string) string {
	if back == "" {
		return "/requests"
	}
	return localPath(back)
}

// requestsPage is GET /requests.
func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	reqs, err := s.messaging.Requests(r.Context(), u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.RequestsView{Requests: requestViews(reqs), On: u.MessageRequests}
	if isHTMX(r) { // the list reloading itself on a live event
		s.render(w, r, http.StatusOK, views.RequestsList(v))
		return
	}
	s.render(w, r, http.StatusOK, views.RequestsPage(s.page(r, "Message requests", "inbox"), v))
}

func requestViews(reqs []messaging.Request) []views.Request {
	out := make([]views.Request, 0, len(reqs))
	for _, req := range reqs {
		out = append(out, views.Request{Username: req.From.Username, Count: req.Count, Latest: req.Latest})
	}
	return out
}

type requestJSON struct {
	Username string `json:"username"`
	Count    int    `json:"count"`
	Latest   string `json:"latest"`
}

type requestsReply struct {
	Requests []requestJSON `json:"requests"`
}

// apiRequests is GET /api/requests: who waits, the newest first.
func (s *Server) apiRequests(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	reqs, err := s.messaging.Requests(r.Context(), u)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := requestsReply{Requests: make([]requestJSON, 0, len(reqs))}
	for _, req := range reqs {
		out.Requests = append(out.Requests, requestJSON{Username: req.From.Username, Count: req.Count, Latest: req.Latest.Format(time.RFC3339)})
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// apiAcceptRequests is POST /api/requests/{username}/accept: {"accepted": N}.
func (s *Server) apiAcceptRequests(w http.ResponseWriter, r *http.Request) {
	res, err := s.decide(r, acceptRequests)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]int{"accepted": res.Accepted})
}

type deletedRequestsReply struct {
	Deleted int  `json:"deleted"`
	Blocked bool `json:"blocked,omitempty"`
}

// apiDeleteRequests is DELETE /api/requests/{username}: {"deleted": N}; with
// ?block=yes it blocks them first: {"deleted": N, "blocked": true}.
func (s *Server) apiDeleteRequests(w http.ResponseWriter, r *http.Request) {
	action := deleteRequests
	if r.URL.Query().Get("block") == "yes" {
		action = blockRequests
	}
	res, err := s.decide(r, action)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, deletedRequestsReply{Deleted: res.Deleted, Blocked: res.Blocked})
}

// requestCount is how many people wait for the viewer to accept them. It
// asks even with the setting off: requests from before it was turned off
// still wait.
func (s *Server) requestCount(r *http.Request) (int, error) {
	u, _ := currentUser(r)
	return s.messaging.RequestsWaiting(r.Context(), u)
}

// requestsFrom is how many of from's images wait as requests to the
// viewer, asked only when the page shows one: most conversations have none,
// and cost nothing more.
func (s *Server) requestsFrom(r *http.Request, from imageapp.User, shown []*imageapp.Message) (int, error) {
	u, _ := currentUser(r)
	if !slices.ContainsFunc(shown, func(m *imageapp.Message) bool { return m.Request && m.RecipientID == u.ID }) {
		return 0, nil
	}
	_, n, err := s.messaging.RequestsFrom(r.Context(), u, from.Username)
	return n, err
}
