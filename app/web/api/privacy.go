package api

import (
	"encoding/json"
	"mime"
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/app/web"
)

type privacyJSON struct {
	ReadReceipts    bool `json:"read_receipts"`
	Listed          bool `json:"listed"`
	NotifyByMail    bool `json:"notify_by_mail"`
	MessageRequests bool `json:"message_requests"`
}

type privacyReply struct {
	Privacy privacyJSON `json:"privacy"`
}

func privacyReplyOf(p imageapp.Privacy) privacyReply {
	return privacyReply{Privacy: privacyJSON{ReadReceipts: p.ReadReceipts, Listed: p.Listed, NotifyByMail: p.NotifyByMail,
		MessageRequests: p.MessageRequests}}
}

// Privacy is GET /api/me/privacy.
func (s *Handlers) Privacy(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	s.JSON(w, r, http.StatusOK, privacyReplyOf(imageapp.PrivacyOf(u)))
}

// PrivacyPut is PUT /api/me/privacy: {"read_receipts": bool, "listed":
// bool, "notify_by_mail": bool, "message_requests": bool}, any may be left
// out to keep it as it is.
func (s *Handlers) PrivacyPut(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	p, err := readPrivacy(w, r, imageapp.PrivacyOf(u))
	if err == nil {
		err = s.accounts.SetPrivacy(r.Context(), u, p)
	}
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, privacyReplyOf(p))
}

// readPrivacy reads a JSON body of optional booleans over the current settings.
func readPrivacy(w http.ResponseWriter, r *http.Request, p imageapp.Privacy) (imageapp.Privacy, error) {
	if ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ctype != "application/json" {
		return p, imageapp.Errorf(imageapp.EUNSUPPORTED, "Send the settings as JSON (application/json).")
	}
	var in struct {
		ReadReceipts    *bool `json:"read_receipts"`
		Listed          *bool `json:"listed"`
		NotifyByMail    *bool `json:"notify_by_mail"`
		MessageRequests *bool `json:"message_requests"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, web.MaxFormBytes)
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return p, web.BodyError(web.FormTooLarge(err), `Send {"read_receipts": true|false, "listed": true|false, "notify_by_mail": true|false, "message_requests": true|false}.`)
	}
	if in.ReadReceipts != nil {
		p.ReadReceipts = *in.ReadReceipts
	}
	if in.Listed != nil {
		p.Listed = *in.Listed
	}
	if in.NotifyByMail != nil {
		p.NotifyByMail = *in.NotifyByMail
	}
	if in.MessageRequests != nil {
		p.MessageRequests = *in.MessageRequests
	}
	return p, nil
}
