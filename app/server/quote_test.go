package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestAPIReplyQuotes: a send through the JSON API takes the same "quote"
// field as the composer: the reply is stored quoting the image and the
// JSON (the send's answer and the conversation) carries quote_id; a quote
// of an image of another conversation is refused with 400 and an
// actionable message, and stores nothing. The conversation's JSON carries
// the quoted image's thumbnail, or quote_gone once it is deleted.
func TestAPIReplyQuotes(t *testing.T) {
	app := startApp(t, t.TempDir())
	app.signUp("alice")
	bob := app.signUp("bob")
	app.signUp("carol")
	orig := app.sendNamed("alice", "bob", "The original", "orig.png")
	carols := app.sendNamed("carol", "bob", "Carol's", "carol.png")

	r := bob.postMultipart("/api/messages", field("to", "alice"), field("quote", orig), field("caption", "re"), file("image", "re.png", testPNG(t, 40, 30)))
	if r.status != http.StatusCreated {
		t.Fatalf("a reply through the API: %d %s", r.status, r.body)
	}
	var sent struct {
		Message struct {
			ID      string `json:"id"`
			QuoteID string `json:"quote_id"`
		} `json:"message"`
	}
	must(t, json.Unmarshal([]byte(r.body), &sent))
	if sent.Message.QuoteID != orig {
		t.Errorf("the reply's JSON quotes %q; want %s", sent.Message.QuoteID, orig)
	}
	r = bob.get("/api/conversations/alice")
	if !strings.Contains(r.body, `"quote_id":"`+orig+`"`) {
		t.Errorf("the conversation's JSON lacks the reply's quote_id: %s", r.body)
	}

	if !strings.Contains(r.body, `"quote_thumbnail":"data:image/jpeg;base64,`) || strings.Contains(r.body, `"quote_gone"`) {
		t.Errorf("the conversation's JSON lacks the quoted image's thumbnail: %s", r.body)
	}

	before := app.messageCount()
	r = bob.postMultipart("/api/messages", field("to", "alice"), field("quote", carols), file("image", "re.png", testPNG(t, 40, 30)))
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "The image you are replying to is gone") {
		t.Errorf("a reply to alice quoting carol's image: %d %s; want 400, the quote gone", r.status, r.body)
	}
	if n := app.messageCount(); n != before {
		t.Errorf("%d messages after the refused reply; want %d", n, before)
	}

	alice, err := app.backend.Users.UserByUsername(context.Background(), "alice")
	must(t, err)
	must(t, app.app.Messaging().Delete(context.Background(), alice, orig))
	r = bob.get("/api/conversations/alice")
	if !strings.Contains(r.body, `"quote_id":"`+orig+`","quote_gone":true`) {
		t.Errorf("once the original is deleted, the conversation's JSON does not say the quote is gone: %s", r.body)
	}
}
