package pages

import (
	"net/http"
	"slices"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web"
	"imageapp/views"
)

// inboxView is one inbox page. The first shows the newest unread messages
// (up to a full page) and the newest read ones; each kind then pages on by
// its own cursor: ?new= through unread messages, ?cursor= through read ones.
func (s *Handlers) inboxView(r *http.Request) (views.InboxView, error) {
	u, _ := web.CurrentUser(r)
	q := r.URL.Query()
	newCursor, cursor := q.Get("new"), q.Get("cursor")
	if newCursor != "" && cursor != "" {
		return views.InboxView{}, imageapp.Errorf(imageapp.EINVALID, "An inbox page follows either new or read messages, not both: drop ?new= or ?cursor=.")
	}
	v := views.InboxView{Self: views.InboxURL(newCursor, cursor), OnlyUnread: q.Get("show") == "unread"}
	if v.OnlyUnread {
		v.Self = "/inbox?show=unread"
		if cursor != "" {
			return v, imageapp.Errorf(imageapp.EINVALID, "Unread images page with ?new=, not ?cursor=.")
		}
	}
	var msgs []*imageapp.Message
	if cursor == "" {
		unread, err := s.messaging.List(r.Context(), u, imageapp.MessageQuery{Box: imageapp.Inbox, Status: imageapp.UnreadMessages, Cursor: newCursor, Limit: messaging.MaxPageSize})
		if err != nil {
			return v, err
		}
		msgs, v.NextUnread = append(msgs, unread.Messages...), unread.Next
	}
	if newCursor == "" && !v.OnlyUnread {
		read, err := s.messaging.List(r.Context(), u, imageapp.MessageQuery{Box: imageapp.Inbox, Status: imageapp.ReadMessages, Cursor: cursor})
		if err != nil {
			return v, err
		}
		msgs, v.Next = append(msgs, read.Messages...), read.Next
	}
	people, err := s.requestCount(r)
	if err != nil {
		return v, err
	}
	v.Requests = people
	if v.Storage, err = s.storageNotice(r); err != nil {
		return v, err
	}
	// Each sender's row shows their newest image: only those previews open.
	previews := s.messaging.Previews(r.Context(), u, newestPerSender(msgs), web.Access(r, ""))
	for _, m := range msgs {
		v.Messages = append(v.Messages, withPreview(listedOne(m), previews[m.ID]))
	}
	return v, nil
}

// newestPerSender is each sender's newest message among msgs.
func newestPerSender(msgs []*imageapp.Message) []*imageapp.Message {
	newest := map[string]*imageapp.Message{}
	var out []*imageapp.Message
	for _, m := range msgs {
		if n, ok := newest[m.SenderID]; !ok || m.CreatedAt.After(n.CreatedAt) {
			if !ok {
				out = append(out, m)
			} else {
				out[slices.Index(out, n)] = m
			}
			newest[m.SenderID] = m
		}
	}
	return out
}

// InboxPage is GET /inbox.
func (s *Handlers) InboxPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.inboxView(r)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if web.IsHTMX(r) {
		// The list, with the nav's count and the tab's title (live.templ).
		s.Render(w, r, http.StatusOK, views.InboxRefresh(s.frame(r, "Inbox", "inbox"), v))
		return
	}
	s.Render(w, r, http.StatusOK, views.InboxPage(s.frame(r, "Inbox", "inbox"), v))
}

// listed is messages as the pages list them.
func listed(ms []*imageapp.Message) []views.Message {
	out := make([]views.Message, 0, len(ms))
	for _, m := range ms {
		out = append(out, listedOne(m))
	}
	return out
}

func listedOne(m *imageapp.Message) views.Message {
	return views.Message{ID: m.ID, FromID: m.SenderID, From: m.SenderName, To: m.RecipientName,
		SentAt: m.CreatedAt, OpenedAt: m.ReadAt, Size: m.Size, ViewOnce: m.ViewOnce, ExpiresAt: m.ExpiresAt, ContentType: m.ContentType, AlbumID: m.AlbumID}
}

// storageNotice is the inbox's notice of a full storage.
func (s *Handlers) storageNotice(r *http.Request) (views.StorageNotice, error) {
	u, _ := web.CurrentUser(r)
	st, err := s.messaging.StorageOf(r.Context(), u)
	if err != nil || !st.Full {
		return views.StorageNotice{}, err
	}
	n := views.StorageNotice{Full: true, Quota: web.HumanBytes(st.Quota)}
	if st.Requests > 0 {
		n.Requests = web.HumanBytes(st.Requests)
	}
	return n, nil
}
