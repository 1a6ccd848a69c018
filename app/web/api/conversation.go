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
	out := conversationReply{With: personOf(with), Messages: make([]messageJSON, 0, len(msgs)), NextCursor: earlier}
	for _, m := range msgs {
		out.Messages = append(out.Messages, previewed(listedOf(m, u.ID), previews[m.ID]))
	}
	s.JSON(w, r, http.StatusOK, out)
}

func previewed(m messageJSON, p messaging.Preview) messageJSON {
	m.Thumbnail, m.Snippet = web.ThumbURL(p.Thumb), p.Caption
	return m
}
