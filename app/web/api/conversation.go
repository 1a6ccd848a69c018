package api

import (
	"net/http"

	"imageapp/app/messaging"
	"imageapp/app/web"
)

// Conversation is GET /api/conversations/{username}.
func (s *Handlers) Conversation(w http.ResponseWriter, r *http.Request) {
	with, msgs, previews, earlier, err := s.ReadConversation(r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	u, _ := web.CurrentUser(r)
	quoted, quotedPreviews, err := s.messaging.Quoted(r.Context(), u, msgs)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	out := conversationReply{With: personOf(with), Messages: make([]messageJSON, 0, len(msgs)), NextCursor: earlier}
	for _, m := range msgs {
		j := previewed(listedOf(m, u.ID), previews[m.ID])
		if m.QuoteID != "" {
			if _, ok := quoted[m.QuoteID]; !ok {
				j.QuoteGone = true
			} else if p, ok := previews[m.QuoteID]; ok {
				j.QuoteThumbnail = web.ThumbURL(p.Thumb)
			} else {
				j.QuoteThumbnail = web.ThumbURL(quotedPreviews[m.QuoteID].Thumb)
			}
		}
		out.Messages = append(out.Messages, j)
	}
	s.JSON(w, r, http.StatusOK, out)
}

func previewed(m messageJSON, p messaging.Preview) messageJSON {
	m.Thumbnail, m.Snippet = web.ThumbURL(p.Thumb), p.Caption
	return m
}
