package pages

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web"
	"imageapp/views"
)

// ConversationPage is GET /conversations/{username}.
func (s *Handlers) ConversationPage(w http.ResponseWriter, r *http.Request) {
	s.renderConversation(w, r, http.StatusOK, views.SendForm{}, r.URL.Query().Get("quote"))
}

// renderConversation renders the conversation with the composer's values
// (an error after a send without JavaScript, with status), quoting the
// image quote if it is set and still there.
func (s *Handlers) renderConversation(w http.ResponseWriter, r *http.Request, status int, composer views.SendForm, quote string) {
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
	// The composer's quote is read along with the thread's.
	quoted, quotedPreviews, err := s.messaging.Quoted(r.Context(), u, append(msgs, &imageapp.Message{QuoteID: quote}))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	quoteOf := func(id string) *views.Quote {
		if _, ok := quoted[id]; !ok {
			return &views.Quote{ID: id, Gone: true}
		}
		p, ok := previews[id]
		if !ok {
			p = quotedPreviews[id]
		}
		return &views.Quote{ID: id, Thumb: web.ThumbURL(p.Thumb)}
	}
	for _, m := range msgs {
		lm := withPreview(listedOne(m), previews[m.ID])
		lm.Request = m.Request && m.RecipientID == u.ID
		if m.QuoteID != "" {
			lm.Quote = quoteOf(m.QuoteID)
		}
		v.Messages = append(v.Messages, lm)
	}
	if q := quoteOf(quote); quote != "" && !q.Gone {
		v.Replying = q
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
