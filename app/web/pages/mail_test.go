package pages

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web/webtest"
)

// The mail pages: what the service answers is what the page shows
// (escaped), an htmx request gets the fragment it swaps, and a form goes
// on with its flash.

const script = `<script>alert(1)</script>`

// fromEve is a message from eve to bob whose caption's start is script.
func fromEve(id string) (*imageapp.Message, map[string]messaging.Preview) {
	m := &imageapp.Message{ID: id, SenderID: "u-eve", SenderName: "eve", RecipientID: bob.ID, RecipientName: "bob",
		CreatedAt: time.Now().Add(-time.Hour), ContentType: "image/png", Size: 2048}
	return m, map[string]messaging.Preview{id: {Caption: script}}
}

// noScript fails when the page carries script unescaped, or not at all.
func noScript(t *testing.T, body string) {
	t.Helper()
	if strings.Contains(body, script) || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the caption is not shown escaped: %s", body)
	}
}

// TestSendErrorKeepsTheForm: a send with no image shows the send page
// again, 400, with the error and the recipient and caption kept; an htmx
// send gets only the panel back.
func TestSendErrorKeepsTheForm(t *testing.T) {
	for _, hx := range []bool{false, true} {
		m := &mailbox{}
		r := webtest.Upload("/send", webtest.Field("to", "alice"), webtest.Field("caption", "for <you>"))
		if hx {
			htmx(r)
		}
		w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).SendSubmit, r)
		body := w.Body.String()
		if w.Code != http.StatusBadRequest || !strings.Contains(body, "Choose an image to send.") || !strings.Contains(body, `name="to" type="text" value="alice"`) ||
			!strings.Contains(body, ">for &lt;you&gt;</textarea>") || len(m.did) != 0 {
			t.Errorf("htmx %v: %d, sent %q; want 400 with the error and the form kept: %s", hx, w.Code, m.did, body)
		}
		if isFullPage(w) == hx {
			t.Errorf("htmx %v: a full page %v; want the panel alone for htmx", hx, isFullPage(w))
		}
	}
}

// TestSendGoesToSent: a send goes to the sent page with "sent", an album
// with "sent-album"; an htmx send gets a fresh panel that says who got it.
func TestSendGoesToSent(t *testing.T) {
	m := &mailbox{}
	h := newHandlers(&webtest.Accounts{}, m)
	redirectsTo(t, webtest.Serve(h.SendSubmit, webtest.Upload("/send", webtest.Field("to", "alice"), webtest.File("image", "a.png", "A"))), "/sent?flash=sent")
	redirectsTo(t, webtest.Serve(h.SendSubmit, webtest.Upload("/send", webtest.Field("to", "alice"), webtest.File("image", "a.png", "A"), webtest.File("image", "b.png", "B"))), "/sent?flash=sent-album")
	if strings.Join(m.did, ",") != "SendAlbum alice 1,SendAlbum alice 2" {
		t.Errorf("the service got %q", m.did)
	}
	w := webtest.Serve(h.SendSubmit, htmx(webtest.Upload("/send", webtest.Field("to", "alice"), webtest.File("image", "a.png", "A"), webtest.File("image", "b.png", "B"))))
	if w.Code != http.StatusOK || isFullPage(w) || !strings.Contains(w.Body.String(), "Sent 2 images to alice.") {
		t.Errorf("htmx: %d; want the panel saying so: %s", w.Code, w.Body.String())
	}
}

// TestComposerGoesBackToTheImage: the conversation's composer goes back to
// the conversation at the new image; under htmx it answers a fresh
// composer and the new image's ID.
func TestComposerGoesBackToTheImage(t *testing.T) {
	h := newHandlers(&webtest.Accounts{}, &mailbox{})
	redirectsTo(t, webtest.Serve(h.ComposerSubmit, webtest.Upload("/conversations/alice", webtest.Field("to", "alice"), webtest.File("image", "a.png", "A"))), "/conversations/alice#m-m-1")
	w := webtest.Serve(h.ComposerSubmit, htmx(webtest.Upload("/conversations/alice", webtest.Field("to", "alice"), webtest.File("image", "a.png", "A"))))
	if w.Code != http.StatusOK || isFullPage(w) || w.Header().Get("X-Message-Id") != "m-1" || !strings.Contains(w.Body.String(), `aria-label="Send an image to alice"`) {
		t.Errorf("htmx: %d, X-Message-Id %q: %s", w.Code, w.Header().Get("X-Message-Id"), w.Body.String())
	}
}

// TestInboxShowsWhatTheMailboxHolds: the inbox lists the unread and the
// read images' senders with their captions escaped, and the requests and
// full storage notices; htmx gets the list without the layout.
func TestInboxShowsWhatTheMailboxHolds(t *testing.T) {
	unread, previews := fromEve("m-1")
	read := &imageapp.Message{ID: "m-2", SenderID: alice.ID, SenderName: "alice", RecipientID: bob.ID, RecipientName: "bob", CreatedAt: time.Now().Add(-48 * time.Hour),
		ReadAt: time.Now().Add(-24 * time.Hour), ContentType: "image/png"}
	m := &mailbox{pages: map[string]imageapp.MessagePage{
		"inbox/unread": {Messages: []*imageapp.Message{unread}},
		"inbox/read":   {Messages: []*imageapp.Message{read}},
	}, previews: previews, waiting: 3, storage: messaging.Storage{Full: true, Quota: 100 << 20}}
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).InboxPage, asBob(http.MethodGet, "/inbox", nil))
	body := w.Body.String()
	if w.Code != http.StatusOK || !isFullPage(w) || !strings.Contains(body, ">eve<") || !strings.Contains(body, ">alice<") || !strings.Contains(body, "100 MiB") {
		t.Errorf("%d; want both senders and the full storage: %s", w.Code, body)
	}
	noScript(t, body)

	w = webtest.Serve(newHandlers(&webtest.Accounts{}, m).InboxPage, htmx(asBob(http.MethodGet, "/inbox", nil)))
	if w.Code != http.StatusOK || isFullPage(w) || !strings.Contains(w.Body.String(), `id="inbox"`) || !strings.Contains(w.Body.String(), ">eve<") {
		t.Errorf("htmx: %d; want the list alone: %s", w.Code, w.Body.String())
	}
}

// TestInboxRefusesTwoCursors: a page link that follows both new and read
// images is a 400 page that says which to drop.
func TestInboxRefusesTwoCursors(t *testing.T) {
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, &mailbox{}).InboxPage, asBob(http.MethodGet, "/inbox?new=a&cursor=b", nil))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "drop ?new= or ?cursor=") {
		t.Errorf("%d: %s", w.Code, w.Body.String())
	}
	w = webtest.Serve(newHandlers(&webtest.Accounts{}, &mailbox{err: imageapp.ErrBadPageLink()}).InboxPage, asBob(http.MethodGet, "/inbox?cursor=forged", nil))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Go back to the first page.") {
		t.Errorf("a forged cursor: %d: %s", w.Code, w.Body.String())
	}
}

// TestSentPageListsRecipients: the sent page names who got each image.
func TestSentPageListsRecipients(t *testing.T) {
	m := &mailbox{pages: map[string]imageapp.MessagePage{"sent/": {Messages: []*imageapp.Message{
		{ID: "m-1", SenderID: bob.ID, SenderName: "bob", RecipientID: "u-carol", RecipientName: "carol", CreatedAt: time.Now(), ContentType: "image/png"},
	}, Next: "c-2"}}}
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).SentPage, asBob(http.MethodGet, "/sent", nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "carol") || !strings.Contains(w.Body.String(), "cursor=c-2") {
		t.Errorf("%d; want carol and the next page: %s", w.Code, w.Body.String())
	}
}

// TestSentPageRefused: a sent box the service refuses (a forged page
// link) is an error page with its words, not an empty list.
func TestSentPageRefused(t *testing.T) {
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, &mailbox{err: imageapp.ErrBadPageLink()}).SentPage, asBob(http.MethodGet, "/sent?cursor=forged", nil))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Go back to the first page.") || strings.Contains(w.Body.String(), "You have not sent") {
		t.Errorf("%d; want 400 with the service's words: %s", w.Code, w.Body.String())
	}
}

// TestSendPageFillsTheRecipient: GET /send?to= is the send form for that
// person (escaped), with the upload's limit in words.
func TestSendPageFillsTheRecipient(t *testing.T) {
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, &mailbox{}).SendPage, asBob(http.MethodGet, "/send?to=%3Cb%3Ealice", nil))
	body := w.Body.String()
	if w.Code != http.StatusOK || !isFullPage(w) || !strings.Contains(body, `name="to" type="text" value="&lt;b&gt;alice"`) || strings.Contains(body, "<b>alice") || !strings.Contains(body, "1 MiB") {
		t.Errorf("%d; want the form for alice, escaped, with the 1 MiB limit: %s", w.Code, body)
	}
}

// TestComposerErrorKeepsTheConversation: a composer's send with no image
// shows the conversation again, 400, with the error and the caption kept
// in the composer, and nothing sent; with htmx, only the composer.
func TestComposerErrorKeepsTheConversation(t *testing.T) {
	m := &mailbox{}
	h := newHandlers(&webtest.Accounts{}, m)
	w := webtest.Serve(h.ComposerSubmit, webtest.WithParam(webtest.Upload("/conversations/alice", webtest.Field("to", "alice"), webtest.Field("caption", "for <you>")), "username", "alice"))
	body := w.Body.String()
	if w.Code != http.StatusBadRequest || !isFullPage(w) || !strings.Contains(body, "Choose an image to send.") || !strings.Contains(body, "for &lt;you&gt;") || len(m.did) != 0 {
		t.Errorf("%d, did %q; want the conversation again, 400, with the error and the caption: %s", w.Code, m.did, body)
	}
	w = webtest.Serve(h.ComposerSubmit, htmx(webtest.WithParam(webtest.Upload("/conversations/alice", webtest.Field("to", "alice")), "username", "alice")))
	if w.Code != http.StatusBadRequest || isFullPage(w) || !strings.Contains(w.Body.String(), "Choose an image to send.") || !strings.Contains(w.Body.String(), `aria-label="Send an image to alice"`) {
		t.Errorf("htmx: %d; want the composer alone with the error: %s", w.Code, w.Body.String())
	}
}

// TestConversationPage: the conversation shows the other person and each
// image's caption escaped; htmx gets the thread alone; an unknown person
// is a 404 page.
func TestConversationPage(t *testing.T) {
	msg, previews := fromEve("m-1")
	m := &mailbox{pages: map[string]imageapp.MessagePage{"conversation/": {Messages: []*imageapp.Message{msg}}}, previews: previews}
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).ConversationPage, webtest.WithParam(asBob(http.MethodGet, "/conversations/eve", nil), "username", "eve"))
	if w.Code != http.StatusOK || !isFullPage(w) || !strings.Contains(w.Body.String(), `aria-label="Send an image to eve"`) {
		t.Errorf("%d: %s", w.Code, w.Body.String())
	}
	noScript(t, w.Body.String())
	w = webtest.Serve(newHandlers(&webtest.Accounts{}, m).ConversationPage, htmx(webtest.WithParam(asBob(http.MethodGet, "/conversations/eve", nil), "username", "eve")))
	if w.Code != http.StatusOK || isFullPage(w) || !strings.HasPrefix(w.Body.String(), `<div id="conversation"`) {
		t.Errorf("htmx: %d: %s", w.Code, w.Body.String())
	}
	m = &mailbox{err: imageapp.ErrNoSuchUser()}
	w = webtest.Serve(newHandlers(&webtest.Accounts{}, m).ConversationPage, webtest.WithParam(asBob(http.MethodGet, "/conversations/nobody", nil), "username", "nobody"))
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "There is no such user.") {
		t.Errorf("an unknown person: %d", w.Code)
	}
}

// TestMessagePage: an opened message shows its sender and caption,
// escaped; a message request is a 403 page that says where to decide it;
// a gone message a 410 page that says how it went.
func TestMessagePage(t *testing.T) {
	msg, _ := fromEve("m-1")
	m := &mailbox{opened: &messaging.Opened{Message: msg, Caption: script, Filename: "x.png"}}
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).MessagePage, webtest.WithParam(asBob(http.MethodGet, "/messages/m-1", nil), "id", "m-1"))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Image from eve") {
		t.Errorf("%d: %s", w.Code, w.Body.String())
	}
	noScript(t, w.Body.String())

	for _, c := range []struct {
		err    error
		status int
	}{
		{imageapp.Errorf(imageapp.EFORBIDDEN, "This is a message request from eve: accept it on the requests page first."), http.StatusForbidden},
		{imageapp.ErrGone(imageapp.GoneDeletedBySender, "eve deleted this image."), http.StatusGone},
		{imageapp.ErrNoSuchMessage(), http.StatusNotFound},
	} {
		w := webtest.Serve(newHandlers(&webtest.Accounts{}, &mailbox{err: c.err}).MessagePage, webtest.WithParam(asBob(http.MethodGet, "/messages/m-1", nil), "id", "m-1"))
		if w.Code != c.status || !strings.Contains(w.Body.String(), imageapp.ErrorMessage(c.err)) {
			t.Errorf("%v: %d; want %d with its words: %s", c.err, w.Code, c.status, w.Body.String())
		}
	}
}

// TestDeleteAsksFirst: a delete without confirm=yes asks, and deletes
// nothing; with it, the message goes and the page goes back to the mailbox
// it came from with "deleted" (the inbox unless it was /sent).
func TestDeleteAsksFirst(t *testing.T) {
	msg, _ := fromEve("m-1")
	m := &mailbox{opened: &messaging.Opened{Message: msg}}
	h := newHandlers(&webtest.Accounts{}, m)
	w := webtest.Serve(h.DeleteSubmit, webtest.WithParam(form("/messages/m-1/delete", nil), "id", "m-1"))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="confirm" value="yes"`) || strings.Contains(strings.Join(m.did, ","), "Delete") {
		t.Errorf("without confirm: %d, did %q; want the question and nothing deleted: %s", w.Code, m.did, w.Body.String())
	}
	for back, want := range map[string]string{"/sent": "/sent?flash=deleted", "": "/inbox?flash=deleted", "https://evil.example/": "/inbox?flash=deleted"} {
		m.did = nil
		redirectsTo(t, webtest.Serve(h.DeleteSubmit, webtest.WithParam(form("/messages/m-1/delete", url.Values{"confirm": {"yes"}, "back": {back}}), "id", "m-1")), want)
		if len(m.did) != 1 || m.did[0] != "Delete m-1" {
			t.Errorf("back %q: did %q; want m-1 deleted", back, m.did)
		}
	}
	w = webtest.Serve(newHandlers(&webtest.Accounts{}, &mailbox{err: imageapp.ErrNoSuchMessage()}).DeleteSubmit, webtest.WithParam(form("/messages/m-9/delete", url.Values{"confirm": {"yes"}}), "id", "m-9"))
	if w.Code != http.StatusNotFound {
		t.Errorf("not bob's: %d", w.Code)
	}
}

// TestViewOnceShowsTheImageOnce: "Open it now" is a page with the image
// inline as a data: URL and the caption escaped, and the image is closed
// after; one already viewed is the service's 410 in words.
func TestViewOnceShowsTheImageOnce(t *testing.T) {
	msg, _ := fromEve("m-1")
	msg.ViewOnce = true
	img, data := webtest.Image(msg, "PNG")
	m := &mailbox{opened: &messaging.Opened{Message: msg, Caption: script}, image: img}
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).ViewOnceSubmit, webtest.WithParam(form("/messages/m-1/view", nil), "id", "m-1"))
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, `alt="Image from eve"`) || !strings.Contains(body, `src="data:image/png;base64,UE5H"`) {
		t.Errorf("%d; want the page with eve's image inline: %s", w.Code, body)
	}
	noScript(t, body)
	if !data.Closed || strings.Join(m.did, ",") != "ViewOnce m-1" {
		t.Errorf("closed %v, did %q; want m-1 viewed once and its image closed", data.Closed, m.did)
	}

	gone := imageapp.ErrGone(imageapp.GoneViewedOnce, "This image was viewed once and is gone.")
	w = webtest.Serve(newHandlers(&webtest.Accounts{}, &mailbox{err: gone}).ViewOnceSubmit, webtest.WithParam(form("/messages/m-1/view", nil), "id", "m-1"))
	if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "This image was viewed once and is gone.") || strings.Contains(w.Body.String(), "data:image/png") {
		t.Errorf("viewed already: %d; want 410 saying it is gone: %s", w.Code, w.Body.String())
	}
}
