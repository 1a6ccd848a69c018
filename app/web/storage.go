package web

import (
	"net/http"

	"imageapp/views"
)

// storageJSON is /api/me's word on the reader's storage: how full it is,
// and, when full (sends to them get 507), how much of it is message
// requests they have not seen (GET /api/requests lists them).
type storageJSON struct {
	UsedBytes    int64 `json:"used_bytes"`
	QuotaBytes   int64 `json:"quota_bytes"` // 0: no quota
	Full         bool  `json:"full"`
	RequestBytes int64 `json:"request_bytes"` // counted only when full
}

// storageNotice is the inbox's notice of a full storage.
func (s *Server) storageNotice(r *http.Request) (views.StorageNotice, error) {
	u, _ := currentUser(r)
	st, err := s.messaging.StorageOf(r.Context(), u)
	if err != nil || !st.Full {
		return views.StorageNotice{}, err
	}
	n := views.StorageNotice{Full: true, Quota: humanBytes(st.Quota)}
	if st.Requests > 0 {
		n.Requests = humanBytes(st.Requests)
	}
	return n, nil
}

// storageOf is the reader's storage for /api/me.
func (s *Server) storageOf(r *http.Request) (storageJSON, error) {
	u, _ := currentUser(r)
	st, err := s.messaging.StorageOf(r.Context(), u)
	return storageJSON{UsedBytes: st.Used, QuotaBytes: st.Quota, Full: st.Full, RequestBytes: st.Requests}, err
}
