package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Message requests: the images of people the viewer does not know wait on
// /requests (and as a banner on the inbox and their conversation) until the
// viewer accepts, deletes or blocks their sender. Delete and Block ask
// first, as deleting a message does: a post without confirm=yes gets the
// question as a page (JS off); static/confirm.js asks in a <dialog>.

// RequestForm is the form of Accept, Delete and Block.
type RequestForm struct {
	Back    string `form:"back"`    // the page to return to; /requests when absent
	Confirm string `form:"confirm"` // "yes" deletes; anything else asks first
}

// RequestAction is what a decision on someone's requests does.
type RequestAction string

const (
	AcceptRequests RequestAction = "accept"
	DeleteRequests RequestAction = "delete"
	BlockRequests  RequestAction = "block"
)

// Decide carries out action on the requests of {username}.
func (s *Server) Decide(r *http.Request, action RequestAction) (RequestResult, error) {
	u, _ := CurrentUser(r)
	name := chi.URLParam(r, "username")
	var out RequestResult
	var err error
	switch action {
	case AcceptRequests:
		_, out.Accepted, err = s.messaging.AcceptRequests(r.Context(), u, name)
	case BlockRequests:
		_, out.Deleted, err = s.messaging.BlockRequests(r.Context(), u, name)
		out.Blocked = err == nil
	default:
		_, out.Deleted, err = s.messaging.DeleteRequests(r.Context(), u, name)
	}
	return out, err
}

// RequestResult is how many images a decision moved or deleted.
type RequestResult struct {
	Accepted int
	Deleted  int
	Blocked  bool
}
