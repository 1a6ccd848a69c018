package web

import (
	"net/http"

	"imageapp/app/messaging"
	"imageapp/views"
)

// uploadLimits are the upload rules people see before they upload, from
// the same source as /api/me's limits.
func (s *Server) uploadLimits() views.Limits {
	return views.Limits{MaxUpload: humanBytes(s.maxUpload), MaxUploadBytes: s.maxUpload,
		MaxCaptionLength: messaging.MaxCaptionLength, ImageTypes: messaging.ImageTypes()}
}

func (s *Server) sendPage(w http.ResponseWriter, r *http.Request) {
	f := views.SendForm{To: r.URL.Query().Get("to"), Limits: s.uploadLimits()}
	s.render(w, r, http.StatusOK, views.SendPage(s.page(r, "Send", "send"), f))
}

func (s *Server) sendSubmit(w http.ResponseWriter, r *http.Request) {
	answered := make(chan struct{})
	defer flushAnswer(w, answered)
	m, in, err := s.send(w, r, answered)
	if err != nil {
		e := s.errorReply(w, r, err)
		f := views.SendForm{To: in.To, Caption: in.Caption, Keep: in.Keep, Error: e.message, Limits: s.uploadLimits()}
		if isHTMX(r) {
			s.render(w, r, e.status, views.SendPanel(f))
			return
		}
		s.render(w, r, e.status, views.SendPage(s.page(r, "Send", "send"), f))
		return
	}
	if isHTMX(r) {
		// A fresh form, ready for the next image, with a notice of this one.
		f := views.SendForm{To: m.RecipientName, Sent: m.RecipientName, Limits: s.uploadLimits()}
		s.render(w, r, http.StatusOK, views.SendPanel(f))
		return
	}
	redirect(w, r, "/sent", "sent")
}

func (s *Server) apiSend(w http.ResponseWriter, r *http.Request) {
	answered := make(chan struct{})
	defer flushAnswer(w, answered)
	m, _, err := s.send(w, r, answered)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, messageReply{Message: messageOf(m)})
}

// flushAnswer sends what the handler wrote to the client, then closes
// answered: the send's preview is made only after, so it never delays the
// answer. (A failed flush is a client gone; its preview is still made.)
func flushAnswer(w http.ResponseWriter, answered chan<- struct{}) {
	_ = http.NewResponseController(w).Flush()
	close(answered)
}
