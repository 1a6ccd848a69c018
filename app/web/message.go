package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/views"
)

func (s *Server) messagePage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	m, err := s.messaging.Open(r.Context(), u, chi.URLParam(r, "id"))
	if imageapp.ErrorCode(err) == imageapp.EFORBIDDEN { // a message request: point to where it is decided
		s.render(w, r, http.StatusForbidden, views.RequestErrorPage(s.page(r, "Message request", "inbox"), imageapp.ErrorMessage(err)))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.OpenedMessage{Message: listedOne(m.Message), Caption: displayText(m.Caption), Filename: displayText(m.Filename), ViewerIsRecipient: m.RecipientID == u.ID}
	if v.ViewerIsRecipient {
		s.render(w, r, http.StatusOK, views.MessagePage(s.page(r, "Image from "+m.SenderName, "inbox"), v))
		return
	}
	s.render(w, r, http.StatusOK, views.MessagePage(s.page(r, "Image to "+m.RecipientName, "sent"), v))
}

func (s *Server) apiMessage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	m, err := s.messaging.Open(r.Context(), u, chi.URLParam(r, "id"))
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, openedReply{Message: openedOf(m)})
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
	img, err := s.messaging.OpenImage(r.Context(), u, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer img.Close()
	disposition := `inline; filename="image-` + img.ID[:8] + messaging.Extension(img.ContentType) + `"`
	if r.URL.Query().Get("download") == "1" { // the message page's Download link
		name, err := s.downloadName(r, u, img.Message)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		disposition = attachment(name)
	}
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("Content-Length", strconv.FormatInt(img.Size, 10))
	h.Set("Content-Disposition", disposition)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", imageCSP)
	h.Set("Last-Modified", img.CreatedAt.Format(http.TimeFormat))
	if r.Method == http.MethodHead {
		return
	}
	// Under a moving write deadline: a client that stops reading frees the
	// blob file and the connection within Pace.Stall (pace.go).
	if _, err := io.Copy(s.paceWrites(w, r), img); err != nil {
		switch {
		case messaging.IsAuthError(err):
			s.log.ErrorContext(r.Context(), "image failed authentication mid-stream", "message_id", img.ID, "err", err)
		case errors.Is(err, messaging.ErrExpiredMidStream):
			s.log.InfoContext(r.Context(), "message expired while its image streamed; cut", "message_id", img.ID)
		case errors.Is(err, errSlowReader):
			s.log.InfoContext(r.Context(), "client stopped reading an image; dropped", "message_id", img.ID)
		}
		panic(http.ErrAbortHandler)
	}
}

// deleteSubmit deletes a message for both people when the form says
// confirm=yes (the confirmation's button, or a script); without it, it only
// asks, so one click with JavaScript off never deletes.
func (s *Server) deleteSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f, err := readForm[deleteForm](w, r)
	if err == nil && f.Confirm != "yes" {
		s.deleteConfirm(w, r, u)
		return
	}
	if err == nil {
		err = s.messaging.Delete(r.Context(), u, chi.URLParam(r, "id"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/inbox"
	if f.Back == "/sent" { // the mailbox the message was opened from
		back = "/sent"
	}
	redirect(w, r, back, "deleted")
}

// deleteConfirm is the page that asks before deleting; 404 unless the
// message is the viewer's to delete.
func (s *Server) deleteConfirm(w http.ResponseWriter, r *http.Request, u imageapp.User) {
	m, err := s.messaging.Open(r.Context(), u, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := views.DeleteConfirm{ID: m.ID, Other: m.SenderName, Back: "/inbox"}
	active := "inbox"
	if m.RecipientID != u.ID {
		d.Other, d.Back, active = m.RecipientName, "/sent", "sent"
	}
	if m.SenderID == m.RecipientID {
		d.Other = ""
	}
	s.render(w, r, http.StatusOK, views.DeleteConfirmPage(s.page(r, "Delete this image?", active), d))
}

func (s *Server) apiDelete(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := s.messaging.Delete(r.Context(), u, chi.URLParam(r, "id")); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// downloadName is the file name the sender's file had, decrypted, with the
// extension of the image's real type (messaging.DownloadName), or
// image-<id><ext> when it had none.
func (s *Server) downloadName(r *http.Request, u imageapp.User, m *imageapp.Message) (string, error) {
	opened, err := s.messaging.Open(r.Context(), u, m.ID)
	if err != nil {
		return "", err
	}
	name := strings.Map(safeFileRune, strings.TrimSpace(opened.Filename))
	name = strings.Trim(name, ". _")
	return messaging.DownloadName(name, m.ContentType, "image-"+m.ID[:8]), nil
}

// safeFileRune drops what a file name must not carry: control characters
// and path separators.
func safeFileRune(r rune) rune {
	if r < 0x20 || r == 0x7f || r == '/' || r == '\\' || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
		return '_'
	}
	return r
}

// attachment is a Content-Disposition that downloads under name: an ASCII
// filename for old clients and the exact name as filename* (RFC 6266, 8187).
func attachment(name string) string {
	var ascii, enc strings.Builder
	for _, b := range []byte(name) {
		switch {
		case b >= 0x80 || b < 0x20 || b == 0x7f || b == '"' || b == '\\' || b == '%' || b == ';':
			if b < 0x80 || b >= 0xc0 { // one '_' per character, not per byte
				ascii.WriteByte('_')
			}
		default:
			ascii.WriteByte(b)
		}
		if isAttrChar(b) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}

// isAttrChar is RFC 8187's attr-char: what filename* carries unescaped.
func isAttrChar(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
