package pages

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web"
	"imageapp/views"
)

// uploadLimits are the upload rules people see before they upload, from
// the same source as /api/me's limits.
func (s *Handlers) uploadLimits() views.Limits {
	return views.Limits{MaxUpload: web.HumanBytes(s.MaxUpload()), MaxUploadBytes: s.MaxUpload(),
		MaxCaptionLength: messaging.MaxCaptionLength, ImageTypes: messaging.ImageTypes()}
}

// SendPage is GET /send.
func (s *Handlers) SendPage(w http.ResponseWriter, r *http.Request) {
	f := views.SendForm{To: r.URL.Query().Get("to"), Limits: s.uploadLimits()}
	s.Render(w, r, http.StatusOK, views.SendPage(s.frame(r, "Send", "send"), f))
}

// SendSubmit is POST /send.
func (s *Handlers) SendSubmit(w http.ResponseWriter, r *http.Request) {
	answered := make(chan struct{})
	defer web.FlushAnswer(w, answered)
	m, in, err := s.SendUpload(w, r, answered)
	if err != nil {
		e := s.ErrorReply(w, r, err)
		f := views.SendForm{To: in.To, Caption: in.Caption, Keep: in.Keep, Error: e.Message, Limits: s.uploadLimits()}
		if web.IsHTMX(r) {
			s.Render(w, r, e.Status, views.SendPanel(f))
			return
		}
		s.Render(w, r, e.Status, views.SendPage(s.frame(r, "Send", "send"), f))
		return
	}
	if web.IsHTMX(r) {
		// A fresh form, ready for the next image, with a notice of this one.
		f := views.SendForm{To: m.RecipientName, Sent: m.RecipientName, Count: len(in.Album()), Limits: s.uploadLimits()}
		s.Render(w, r, http.StatusOK, views.SendPanel(f))
		return
	}
	if len(in.Album()) > 1 {
		web.Redirect(w, r, "/sent", "sent-album")
		return
	}
	web.Redirect(w, r, "/sent", "sent")
}

// SentPage is GET /sent.
func (s *Handlers) SentPage(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	page, err := s.messaging.List(r.Context(), u, imageapp.MessageQuery{Box: imageapp.Sent, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, views.SentPage(s.frame(r, "Sent", "sent"), listed(page.Messages), page.Next))
}
