package web

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/imagecheck"
	"imageapp/app/messaging"
	"imageapp/views"
)

// --- send ---

func (s *Server) sendForm(r *http.Request, in sendFields, err error) views.SendForm {
	f := views.SendForm{Form: views.Form{Values: in}, MaxUpload: humanBytes(s.maxUpload)}
	if err != nil {
		_, _, f.Error = s.describe(r, err)
	}
	return f
}

func (s *Server) sendPage(w http.ResponseWriter, r *http.Request) {
	f := s.sendForm(r, sendFields{"to": r.URL.Query().Get("to")}, nil)
	s.render(w, r, http.StatusOK, views.SendPage(s.page(r, "Send", "send"), f))
}

func (s *Server) sendSubmit(w http.ResponseWriter, r *http.Request) {
	m, in, err := s.send(w, r)
	if err != nil {
		f := s.sendForm(r, in, err)
		if isHTMX(r) {
			s.render(w, r, s.formStatus(w, r, err), views.SendPanel(f))
			return
		}
		s.render(w, r, s.formStatus(w, r, err), views.SendPage(s.page(r, "Send", "send"), f))
		return
	}
	if isHTMX(r) {
		// A fresh form, ready for the next image, with a notice of this one.
		f := s.sendForm(r, sendFields{"to": m.RecipientName}, nil)
		f.Sent = m.RecipientName
		s.render(w, r, http.StatusOK, views.SendPanel(f))
		return
	}
	redirect(w, r, "/sent", "sent")
}

func (s *Server) apiSend(w http.ResponseWriter, r *http.Request) {
	m, _, err := s.send(w, r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"message": messageJSON(m)})
}

// --- mailboxes ---

// inboxView is one inbox page. The first shows the newest unread messages
// (up to a full page) above the newest read ones; each list then pages on by
// its own cursor: ?new= through unread messages, ?cursor= through read ones.
func (s *Server) inboxView(r *http.Request) (views.InboxView, error) {
	u, _ := currentUser(r)
	q := r.URL.Query()
	newCursor, cursor := q.Get("new"), q.Get("cursor")
	if newCursor != "" && cursor != "" {
		return views.InboxView{}, imageapp.Errorf(imageapp.EINVALID, "An inbox page follows either new or read messages, not both: drop ?new= or ?cursor=.")
	}
	v := views.InboxView{Self: views.InboxURL(newCursor, cursor)}
	if cursor == "" {
		unread, err := s.svc.List(r.Context(), u, imageapp.MessageQuery{Box: imageapp.Inbox, Status: imageapp.UnreadMessages, Cursor: newCursor, Limit: messaging.MaxPageSize})
		if err != nil {
			return v, err
		}
		v.Unread, v.NextUnread = unread.Messages, unread.Next
	}
	if newCursor == "" {
		earlier, err := s.svc.List(r.Context(), u, imageapp.MessageQuery{Box: imageapp.Inbox, Status: imageapp.ReadMessages, Cursor: cursor})
		if err != nil {
			return v, err
		}
		v.Earlier, v.Next = earlier.Messages, earlier.Next
	}
	return v, nil
}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.inboxView(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.InboxList(v))
		return
	}
	s.render(w, r, http.StatusOK, views.InboxPage(s.page(r, "Inbox", "inbox"), v))
}

func (s *Server) sentPage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	page, err := s.svc.List(r.Context(), u, imageapp.MessageQuery{Box: imageapp.Sent, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.SentPage(s.page(r, "Sent", "sent"), page.Messages, page.Next))
}

func (s *Server) apiMessages(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	q := r.URL.Query()
	limit := 0
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			s.writeJSONError(w, r, imageapp.Errorf(imageapp.EINVALID, "limit must be a positive whole number."))
			return
		}
		limit = n
	}
	page, err := s.svc.List(r.Context(), u, imageapp.MessageQuery{
		Box: imageapp.Box(q.Get("box")), Status: imageapp.Status(q.Get("status")), Cursor: q.Get("cursor"), Limit: limit,
	})
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	unread, err := s.svc.UnreadCount(r.Context(), u)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(page.Messages))
	for _, m := range page.Messages {
		out = append(out, messageJSON(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out, "next_cursor": page.Next, "unread": unread})
}

// --- one message ---

func (s *Server) messagePage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	m, err := s.svc.Open(r.Context(), u, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if m.RecipientID == u.ID {
		s.render(w, r, http.StatusOK, views.MessagePage(s.page(r, "Image from "+m.SenderName, "inbox"), m, true))
		return
	}
	s.render(w, r, http.StatusOK, views.MessagePage(s.page(r, "Image to "+m.RecipientName, "sent"), m, false))
}

func (s *Server) apiMessage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	m, err := s.svc.Open(r.Context(), u, chi.URLParam(r, "id"))
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := messageJSON(m.Message)
	out["caption"] = m.Caption
	out["filename"] = m.Filename
	out["image_url"] = "/api/messages/" + m.ID + "/image"
	writeJSON(w, http.StatusOK, map[string]any{"message": out})
}

// imageCSP sandboxes a decrypted image opened on its own: no script, no
// plugin, no same-origin access, whatever the bytes claim to be.
const imageCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

// messageImage streams the decrypted image. A wrong key or swapped blob
// fails before the first byte (an error page). A segment that fails later
// aborts the connection, so the client sees a broken transfer, never bytes
// that did not authenticate.
func (s *Server) messageImage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	img, err := s.svc.OpenImage(r.Context(), u, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer img.Close()
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("Content-Length", strconv.FormatInt(img.Size, 10))
	h.Set("Content-Disposition", `inline; filename="image-`+img.ID[:8]+imagecheck.Allowed[img.ContentType]+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", imageCSP)
	h.Set("Last-Modified", img.CreatedAt.Format(http.TimeFormat))
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, img); err != nil {
		if messaging.IsAuthError(err) {
			s.log.Error("image failed authentication mid-stream", "message_id", img.ID, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) deleteSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	in, err := fields(w, r, "back")
	if err == nil {
		err = s.svc.Delete(r.Context(), u, chi.URLParam(r, "id"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/inbox"
	if in["back"] == "/sent" { // the mailbox the message was opened from
		back = "/sent"
	}
	redirect(w, r, back, "deleted")
}

func (s *Server) apiDelete(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := s.svc.Delete(r.Context(), u, chi.URLParam(r, "id")); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func messageJSON(m *imageapp.Message) map[string]any {
	var readAt any
	if !m.ReadAt.IsZero() {
		readAt = m.ReadAt.Format(time.RFC3339)
	}
	return map[string]any{
		"id":           m.ID,
		"from":         map[string]string{"id": m.SenderID, "username": m.SenderName},
		"to":           map[string]string{"id": m.RecipientID, "username": m.RecipientName},
		"sent_at":      m.CreatedAt.Format(time.RFC3339),
		"read_at":      readAt,
		"content_type": m.ContentType,
		"size":         m.Size,
	}
}

// --- people ---

func (s *Server) listUsers(r *http.Request) (string, imageapp.UserPage, error) {
	me, _ := currentUser(r)
	q := r.URL.Query()
	search := q.Get("q")
	if len(search) > 64 {
		return search, imageapp.UserPage{}, imageapp.Errorf(imageapp.EINVALID, "Search for at most 64 characters.")
	}
	page, err := s.users.ListUsers(r.Context(), imageapp.UserQuery{Search: search, Cursor: q.Get("cursor"), Limit: 50})
	if err != nil {
		return search, page, err
	}
	others := page.Users[:0]
	for _, u := range page.Users {
		if u.ID != me.ID {
			others = append(others, u)
		}
	}
	page.Users = others
	return search, page, nil
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	q, page, err := s.listUsers(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.UserList(q, page.Users, page.Next))
		return
	}
	s.render(w, r, http.StatusOK, views.UsersPage(s.page(r, "People", "users"), q, page.Users, page.Next))
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	_, page, err := s.listUsers(r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(page.Users))
	for _, u := range page.Users {
		out = append(out, userJSON(u, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out, "next_cursor": page.Next})
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	n, err := s.svc.UnreadCount(r.Context(), u)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userJSON(u, true), "unread": n})
}
