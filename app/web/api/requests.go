package api

import (
	"net/http"
	"time"

	"imageapp/app/web"
)

type requestJSON struct {
	Username string `json:"username"`
	Count    int    `json:"count"`
	Latest   string `json:"latest"`
}

type requestsReply struct {
	Requests []requestJSON `json:"requests"`
}

// Requests is GET /api/requests: who waits, the newest first.
func (s *Handlers) Requests(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	reqs, err := s.messaging.Requests(r.Context(), u)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	out := requestsReply{Requests: make([]requestJSON, 0, len(reqs))}
	for _, req := range reqs {
		out.Requests = append(out.Requests, requestJSON{Username: req.From.Username, Count: req.Count, Latest: req.Latest.Format(time.RFC3339)})
	}
	s.JSON(w, r, http.StatusOK, out)
}

// AcceptRequests is POST /api/requests/{username}/accept: {"accepted": N}.
func (s *Handlers) AcceptRequests(w http.ResponseWriter, r *http.Request) {
	res, err := s.Decide(r, web.AcceptRequests)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]int{"accepted": res.Accepted})
}

type deletedRequestsReply struct {
	Deleted int  `json:"deleted"`
	Blocked bool `json:"blocked,omitempty"`
}

// DeleteRequests is DELETE /api/requests/{username}: {"deleted": N}; with
// ?block=yes it blocks them first: {"deleted": N, "blocked": true}.
func (s *Handlers) DeleteRequests(w http.ResponseWriter, r *http.Request) {
	action := web.DeleteRequests
	if r.URL.Query().Get("block") == "yes" {
		action = web.BlockRequests
	}
	res, err := s.Decide(r, action)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, deletedRequestsReply{Deleted: res.Deleted, Blocked: res.Blocked})
}
