package web

import (
	"encoding/json"
	"mime"
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/views"
)

// Privacy settings: read receipts, being listed in the directory and
// message requests. The page form posts three checkboxes (an unchecked one is not sent, so absent
// means off); the JSON twin takes booleans and leaves out what it omits.

// privacyForm is the settings page's form: "on" (any non-empty value) or absent.
type privacyForm struct {
	ReadReceipts    string `form:"read_receipts"`
	Listed          string `form:"listed"`
	MessageRequests string `form:"message_requests"`
}

// withPrivacy gives the settings page the person's privacy settings (its
// privacy card reads them from the render context).
func (s *Server) withPrivacy(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, _ := currentUser(r)
		p := imageapp.PrivacyOf(u)
		ctx := views.WithPrivacy(r.Context(), views.PrivacySettings{ReadReceipts: p.ReadReceipts, Listed: p.Listed, NotifyByMail: p.NotifyByMail,
			MessageRequests: p.MessageRequests})
		next(w, r.WithContext(ctx))
	}
}

func (s *Server) privacySubmit(w http.ResponseWriter, r *http.Request) {
	f, err := readForm[privacyForm](w, r)
	if err == nil {
		u, _ := currentUser(r)
		p := imageapp.PrivacyOf(u) // keeps the mail setting, which has a form of its own
		p.ReadReceipts, p.Listed, p.MessageRequests = f.ReadReceipts != "", f.Listed != "", f.MessageRequests != ""
		err = s.accounts.SetPrivacy(r.Context(), u, p)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/settings#privacy", "privacy-saved")
}

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

// apiPrivacy is GET /api/me/privacy.
func (s *Server) apiPrivacy(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	s.writeJSON(w, r, http.StatusOK, privacyReplyOf(imageapp.PrivacyOf(u)))
}

// apiPrivacyPut is PUT /api/me/privacy: {"read_receipts": bool, "listed":
// bool, "notify_by_mail": bool, "message_requests": bool}, any may be left
// out to keep it as it is.
func (s *Server) apiPrivacyPut(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	p, err := readPrivacy(w, r, imageapp.PrivacyOf(u))
	if err == nil {
		err = s.accounts.SetPrivacy(r.Context(), u, p)
	}
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, privacyReplyOf(p))
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
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return p, bodyError(formTooLarge(err), `Send {"read_receipts": true|false, "listed": true|false, "notify_by_mail": true|false, "message_requests": true|false}.`)
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
