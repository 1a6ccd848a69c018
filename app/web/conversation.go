package web

import (
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// conversationPageSize is how many images a conversation page shows.
const conversationPageSize = 30

// ReadConversation loads one page of what the viewer and {username} exchanged,
// oldest first, with the previews the viewer may see.
func (s *Server) ReadConversation(r *http.Request) (imageapp.User, []*imageapp.Message, map[string]messaging.Preview, string, error) {
	u, _ := CurrentUser(r)
	with, page, err := s.messaging.Conversation(r.Context(), u, chi.URLParam(r, "username"), r.URL.Query().Get("cursor"), conversationPageSize)
	if err != nil {
		return with, nil, nil, "", err
	}
	msgs := slices.Clone(page.Messages)
	slices.Reverse(msgs) // the store pages newest first; people read down to the newest
	return with, msgs, s.messaging.Previews(r.Context(), u, msgs, Access(r, "")), page.Next, nil
}
