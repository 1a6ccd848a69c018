package web

import (
	"encoding/base64"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/views"
)

// conversationPageSize is how many images a conversation page shows.
const conversationPageSize = 30

// conversation loads one page of what the viewer and {username} exchanged,
// oldest first, with the previews the viewer may see.
func (s *Server) conversation(r *http.Request) (imageapp.User, []*imageapp.Message, map[string]messaging.Preview, string, error) {
	u, _ := currentUser(r)
	with, page, err := s.messaging.Conversation(r.Context(), u, chi.URLParam(r, "username"), r.URL.Query().Get("cursor"), conversationPageSize)
	if err != nil {
		return with, nil, nil, "", err
	}
	msgs := slices.Clone(page.Messages)
	slices.Reverse(msgs) // the store pages newest first; people read down to the newest
	return with, msgs, s.messaging.Previews(r.Context(), u, msgs), page.Next, nil
}

func (s *Server) conversationPage(w http.ResponseWriter, r *http.Request) {
	with, msgs, previews, earlier, err := s.conversation(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, _ := currentUser(r)
	blocked, err := s.messaging.IsBlocked(r.Context(), u, with)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	waiting, err := s.requestsFrom(r, with, msgs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.ConversationView{With: with.Username, Self: r.URL.RequestURI(), Earlier: earlier, ViewerID: u.ID,
		Messages: make([]views.Message, 0, len(msgs)), Blocked: blocked, Requests: waiting}
	for _, m := range msgs {
		lm := withPreview(listedOne(m), previews[m.ID])
		lm.Request = m.Request && m.RecipientID == u.ID
		v.Messages = append(v.Messages, lm)
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.ConversationList(v))
		return
	}
	s.render(w, r, http.StatusOK, views.ConversationPage(s.page(r, with.Username, "inbox"), v))
}

func (s *Server) apiConversation(w http.ResponseWriter, r *http.Request) {
	with, msgs, previews, earlier, err := s.conversation(r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	u, _ := currentUser(r)
	out := conversationReply{With: personOf(with), Messages: make([]messageJSON, 0, len(msgs)), NextCursor: earlier}
	for _, m := range msgs {
		out.Messages = append(out.Messages, previewed(listedOf(m, u.ID), previews[m.ID]))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// thumbURL is a thumbnail as a data: URL, so a page of them needs no more
// requests, and none that would each unwrap a key.
func thumbURL(jpeg []byte) string {
	if len(jpeg) == 0 {
		return ""
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(jpeg)
}

func withPreview(m views.Message, p messaging.Preview) views.Message {
	m.Thumb, m.Snippet = thumbURL(p.Thumb), p.Caption
	return m
}

func previewed(m messageJSON, p messaging.Preview) messageJSON {
	m.Thumbnail, m.Snippet = thumbURL(p.Thumb), p.Caption
	return m
}
