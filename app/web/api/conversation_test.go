package api

import (
	"context"
	"net/http"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// conversationMessaging is a conversation with alice: the page the store
// answers (newest first), the previews of its images and of the older
// images they quote, or err.
type conversationMessaging struct {
	fakeMessaging
	page           imageapp.MessagePage
	previews       map[string]messaging.Preview
	quoted         map[string]*imageapp.Message // the quoted images still there
	quotedPreviews map[string]messaging.Preview
	err            error
	with           []string // whom the conversations asked for were with
}

func (f *conversationMessaging) Conversation(_ context.Context, _ imageapp.User, with, _ string, _ int) (imageapp.User, imageapp.MessagePage, error) {
	f.with = append(f.with, with)
	if f.err != nil {
		return imageapp.User{}, imageapp.MessagePage{}, f.err
	}
	return alice, f.page, nil
}

func (f *conversationMessaging) Previews(context.Context, imageapp.User, []*imageapp.Message, ...messaging.Access) map[string]messaging.Preview {
	return f.previews
}

func (f *conversationMessaging) Quoted(context.Context, imageapp.User, []*imageapp.Message, ...messaging.Access) (map[string]*imageapp.Message, map[string]messaging.Preview, error) {
	return f.quoted, f.quotedPreviews, nil
}

// TestConversationIsOldestFirstWithItsQuotes: GET /api/conversations/alice
// is the other person, the page's images oldest first and the cursor to
// earlier ones; a reply shows the thumbnail of the image it quotes (from
// the page or from further back), or quote_gone once that one is gone.
func TestConversationIsOldestFirstWithItsQuotes(t *testing.T) {
	between := func(id, quote string) *imageapp.Message {
		return &imageapp.Message{ID: id, SenderID: alice.ID, SenderName: "alice", RecipientID: bob.ID, RecipientName: "bob", QuoteID: quote}
	}
	m := &conversationMessaging{
		page:           imageapp.MessagePage{Messages: []*imageapp.Message{between("m-3", "m-0"), between("m-2", "m-1"), between("m-1", "m-old")}, Next: "c-2"},
		previews:       map[string]messaging.Preview{"m-1": {Thumb: []byte("one"), Caption: "first"}},
		quoted:         map[string]*imageapp.Message{"m-1": between("m-1", ""), "m-old": between("m-old", "")},
		quotedPreviews: map[string]messaging.Preview{"m-old": {Thumb: []byte("old")}},
	}
	w := webtest.Serve(newHandlers(nil, m).Conversation, webtest.WithParam(bobWith(http.MethodGet, "/api/conversations/alice", "", ""), "username", "alice"))
	var reply struct {
		With     struct{ Username string }
		Messages []struct {
			ID, Snippet    string
			QuoteThumbnail string `json:"quote_thumbnail"`
			QuoteGone      bool   `json:"quote_gone"`
		}
		NextCursor string `json:"next_cursor"`
	}
	decode(t, w, &reply)
	if w.Code != http.StatusOK || reply.With.Username != "alice" || reply.NextCursor != "c-2" || len(reply.Messages) != 3 || len(m.with) != 1 || m.with[0] != "alice" {
		t.Fatalf("%d %s, asked for %q; want alice's three images and c-2", w.Code, w.Body, m.with)
	}
	first, second, third := reply.Messages[0], reply.Messages[1], reply.Messages[2]
	if first.ID != "m-1" || second.ID != "m-2" || third.ID != "m-3" {
		t.Errorf("order %s, %s, %s; want the oldest first", first.ID, second.ID, third.ID)
	}
	if first.Snippet != "first" || first.QuoteThumbnail != web.ThumbURL([]byte("old")) || second.QuoteThumbnail != web.ThumbURL([]byte("one")) || !third.QuoteGone || third.QuoteThumbnail != "" {
		t.Errorf("quotes: %+v; want m-old's thumbnail, m-1's, then gone", reply.Messages)
	}
}

// TestConversationWithNobodyIs404: a conversation with someone who does
// not exist is a 404 that says so.
func TestConversationWithNobodyIs404(t *testing.T) {
	m := &conversationMessaging{err: imageapp.ErrNoSuchUser()}
	w := webtest.Serve(newHandlers(nil, m).Conversation, webtest.WithParam(bobWith(http.MethodGet, "/api/conversations/nobody", "", ""), "username", "nobody"))
	if code, msg := apiError(t, w); w.Code != http.StatusNotFound || code != imageapp.ENOTFOUND || msg != "There is no such user." {
		t.Errorf("%d %s %q; want 404 saying there is no such user", w.Code, code, msg)
	}
}
