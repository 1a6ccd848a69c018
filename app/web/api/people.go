package api

import (
	"net/http"

	"imageapp/app/messaging"
	"imageapp/app/web"
)

// Users is GET /api/users.
func (s *Handlers) Users(w http.ResponseWriter, r *http.Request) {
	_, page, err := s.People(r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	out := peopleReply{Users: make([]personJSON, 0, len(page.Users)), NextCursor: page.Next}
	for _, u := range page.Users {
		out.Users = append(out.Users, personOf(u))
	}
	s.JSON(w, r, http.StatusOK, out)
}

// Me is the logged-in person, their unread count, the upload limits and
// how full their storage is.
func (s *Handlers) Me(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	n, err := s.messaging.UnreadCount(r.Context(), u)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	storage, err := s.storageOf(r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, meReply{User: accountOf(u), Unread: n, Limits: limitsJSON{
		MaxUploadBytes: s.MaxUpload(), MaxCaptionLength: messaging.MaxCaptionLength, ImageTypes: messaging.ImageTypes(),
	}, Storage: storage})
}

// storageJSON is /api/me's word on the reader's storage: how full it is,
// and, when full (sends to them get 507), how much of it is message
// requests they have not seen (GET /api/requests lists them).
type storageJSON struct {
	UsedBytes    int64 `json:"used_bytes"`
	QuotaBytes   int64 `json:"quota_bytes"` // 0: no quota
	Full         bool  `json:"full"`
	RequestBytes int64 `json:"request_bytes"` // counted only when full
}

// storageOf is the reader's storage for /api/me.
func (s *Handlers) storageOf(r *http.Request) (storageJSON, error) {
	u, _ := web.CurrentUser(r)
	st, err := s.messaging.StorageOf(r.Context(), u)
	return storageJSON{UsedBytes: st.Used, QuotaBytes: st.Quota, Full: st.Full, RequestBytes: st.Requests}, err
}
