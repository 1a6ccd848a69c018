package pages

import (
	"net/http"

	"imageapp/app/messaging"
	"imageapp/app/web"
	"imageapp/views"
)

// ConversationPage is GET /conversations/{username}.
func (s *Handlers) ConversationPage(w http.ResponseWriter, r *http.Request) {
	s.renderConversation(w, r, http.StatusOK, views.SendForm{})
}

// renderConversation renders the conversation with the composer's values
// (an error after a send without JavaScript, with status).
func (s *Handlers) renderConversation(w http.ResponseWriter, r *http.Request, status int, composer views.SendForm) {
	with, msgs, previews, earlier, err := s.ReadConversation(r)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	u, _ := web.CurrentUser(r)
	blocked, err := s.messaging.IsBlocked(r.Context(), u, with)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	waiting, err := s.requestsFrom(r, with, msgs)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v := views.ConversationView{With: with.Username, Self: r.URL.RequestURI(), Earlier: earlier, ViewerID: u.ID,
		Messages: make([]views.Message, 0, len(msgs)), Blocked: blocked, Requests: waiting, Composer: composer}
	v.Composer.Limits = s.uploadLimits()
	for _, m := range msgs {
		lm := withPreview(listedOne(m), previews[m.ID])
		lm.Request = m.Request && m.RecipientID == u.ID
		v.Messages = append(v.Messages, lm)
	}
	v.MarkLatest()
	if web.IsHTMX(r) {
		s.Render(w, r, status, views.ConversationList(v))
		return
	}
	s.Render(w, r, status, views.ConversationPage(s.frame(r, with.Username, "inbox"), v))
}

func withPreview(m views.Message, p messaging.Preview) views.Message {
	m.Thumb, m.Snippet = web.ThumbURL(p.Thumb), p.Caption
	return m
}
