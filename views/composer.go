package views

// MarkLatest sets the anchor that links into the conversation land on
// (#latest): the first image to the reader that they have not opened,
// else the newest. Messages are oldest first.
func (v *ConversationView) MarkLatest() {
	if len(v.Messages) == 0 {
		return
	}
	for i, m := range v.Messages {
		if m.FromID != v.ViewerID && m.Unread() && !m.Request {
			v.Messages[i].Anchor = true
			return
		}
	}
	v.Messages[len(v.Messages)-1].Anchor = true
}

// ThreadURL is a link into the conversation with username, landing on its
// first unread or newest image (see MarkLatest).
func ThreadURL(username string) string { return ConversationURL(username, "") + "#latest" }
