package pages

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/views"
)

// ComposerSubmit is POST /conversations/{username}: the composer at the foot
// of a conversation sends through the Send page's path (web.SendUpload:
// the same fields, rules and errors). Without JavaScript the answer is a
// redirect back to the conversation, anchored at the new image; an error
// renders the conversation with the composer's values and the error.
// static/send.js posts it as HTMX and gets a fresh composer (and the thread
// reloads itself: static/thread.js).
func (s *Handlers) ComposerSubmit(w http.ResponseWriter, r *http.Request) {
	answered := make(chan struct{})
	defer web.FlushAnswer(w, answered)
	m, in, err := s.SendUpload(w, r, answered)
	if err != nil {
		e := s.ErrorReply(w, r, err)
		f := views.SendForm{To: in.To, Caption: in.Caption, Keep: in.Keep, Error: e.Message, Limits: s.uploadLimits()}
		if web.IsHTMX(r) {
			q, err := s.replying(r, in.Quote)
			if err != nil {
				s.Fail(w, r, err)
				return
			}
			s.Render(w, r, e.Status, views.Composer(views.ConversationView{With: in.To, Composer: f, Replying: q}))
			return
		}
		s.renderConversation(w, r, e.Status, f, in.Quote)
		return
	}
	if web.IsHTMX(r) {
		f := views.SendForm{Limits: s.uploadLimits()}
		w.Header().Set("X-Message-Id", m.ID)
		s.Render(w, r, http.StatusOK, views.Composer(views.ConversationView{With: m.RecipientName, Composer: f}))
		return
	}
	web.Redirect(w, r, views.ConversationURL(m.RecipientName, "")+"#m-"+m.ID, "")
}

// replying is the composer's quote of the image id: nil for none, or if
// the image is gone (the error says so: messaging.errQuoteGone).
func (s *Handlers) replying(r *http.Request, id string) (*views.Quote, error) {
	if id == "" {
		return nil, nil
	}
	u, _ := web.CurrentUser(r)
	quoted, previews, err := s.messaging.Quoted(r.Context(), u, []*imageapp.Message{{QuoteID: id}})
	if err != nil || quoted[id] == nil {
		return nil, err
	}
	return &views.Quote{ID: id, Thumb: web.ThumbURL(previews[id].Thumb)}, nil
}
