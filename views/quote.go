package views

import "net/url"

// Quote is the image a reply quotes: in the thread above the reply, and in
// the composer above the reply being written. Gone: the quoted image was
// deleted, expired or viewed once ("Original image is gone").
type Quote struct {
	ID    string
	Thumb string
	Gone  bool
}

// ReplyURL is the conversation with username whose composer quotes the
// image id (a Reply on an image in the thread; JavaScript not needed).
func ReplyURL(username, id string) string {
	return ConversationURL(username, "") + "?" + url.Values{"quote": {id}}.Encode() + "#send-form"
}

// replyTo is whom the thread's Reply links address: the other person, while
// the composer is there (not while their requests wait); "" for no Reply.
func (v ConversationView) replyTo() string {
	if v.Requests > 0 {
		return ""
	}
	return v.With
}
