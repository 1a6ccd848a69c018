package api

import (
	"encoding/json"
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
	"imageapp/app/web"
)

// Messages lists a mailbox (?box=inbox|sent, ?status=unread|read|all) by pages.
func (s *Handlers) Messages(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	q := r.URL.Query()
	limit := 0
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			s.JSONError(w, r, imageapp.Errorf(imageapp.EINVALID, "limit must be a positive whole number."))
			return
		}
		limit = n
	}
	page, err := s.messaging.List(r.Context(), u, imageapp.MessageQuery{
		Box: imageapp.Box(q.Get("box")), Status: imageapp.Status(q.Get("status")), Cursor: q.Get("cursor"), Limit: limit,
	})
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	unread, err := s.messaging.UnreadCount(r.Context(), u)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	out := messagesReply{Messages: make([]messageJSON, 0, len(page.Messages)), NextCursor: page.Next, Unread: unread}
	previews := s.messaging.Previews(r.Context(), u, page.Messages, web.Access(r, ""))
	for _, m := range page.Messages {
		out.Messages = append(out.Messages, previewed(listedOf(m, u.ID), previews[m.ID]))
	}
	s.JSON(w, r, http.StatusOK, out)
}

// Message is GET /api/messages/{id}.
func (s *Handlers) Message(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	m, err := s.messaging.Open(r.Context(), u, chi.URLParam(r, "id"), web.Access(r, ""))
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, openedReply{Message: openedOf(m)})
}

// imageCSP sandboxes a decrypted image opened on its own: no script, no
// plugin, no same-origin access, whatever the bytes claim to be.
const imageCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

// MessageImage streams the decrypted image. A wrong key or swapped blob
// fails before the first byte (an error page). A segment that fails later
// aborts the connection, so the client sees a broken transfer, never bytes
// that did not authenticate.
func (s *Handlers) MessageImage(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	download := r.URL.Query().Get("download") == "1" // the message page's Download link
	purpose := imageapp.PurposeView
	if download {
		purpose = imageapp.PurposeDownload
	}
	img, err := s.messaging.OpenImage(r.Context(), u, chi.URLParam(r, "id"), web.Access(r, purpose))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	defer img.Close()
	disposition := `inline; filename="image-` + img.ID[:8] + messaging.Extension(img.ContentType) + `"`
	if download {
		name, err := s.downloadName(r, u, img.Message)
		if err != nil {
			s.Fail(w, r, err)
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
	if _, err := io.Copy(s.PaceWrites(w, r), img); err != nil {
		switch {
		case messaging.IsAuthError(err):
			s.Log().ErrorContext(r.Context(), "image failed authentication mid-stream", "message_id", img.ID, "err", err)
		case errors.Is(err, messaging.ErrExpiredMidStream):
			s.Log().InfoContext(r.Context(), "message expired while its image streamed; cut", "message_id", img.ID)
		case web.IsSlowReader(err):
			s.Log().InfoContext(r.Context(), "client stopped reading an image; dropped", "message_id", img.ID)
		}
		panic(http.ErrAbortHandler)
	}
}

// Delete is DELETE /api/messages/{id}.
func (s *Handlers) Delete(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if err := s.messaging.Delete(r.Context(), u, chi.URLParam(r, "id")); err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// downloadName is the file name the sender's file had, decrypted, with the
// extension of the image's real type (messaging.DownloadName), or
// image-<id><ext> when it had none.
func (s *Handlers) downloadName(r *http.Request, u imageapp.User, m *imageapp.Message) (string, error) {
	opened, err := s.messaging.Open(r.Context(), u, m.ID, web.Access(r, imageapp.PurposeDownload)) // the download's file name
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

// Send is POST /api/messages.
func (s *Handlers) Send(w http.ResponseWriter, r *http.Request) {
	answered := make(chan struct{})
	defer web.FlushAnswer(w, answered)
	m, in, err := s.SendUpload(w, r, answered)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusCreated, sendReply(m, in.Album()))
}

// ViewOnce is the JSON twin: the opened message, with the image as a
// data: URL in "image", streamed.
func (s *Handlers) ViewOnce(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	opened, img, err := s.messaging.ViewOnce(r.Context(), u, chi.URLParam(r, "id"), web.Access(r, ""))
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	defer img.Close()
	head, err := json.Marshal(openedOf(opened)) // no image_url: nothing is left to fetch

	if err != nil {
		s.Log().ErrorContext(r.Context(), "encode a viewed-once message", "err", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	// {"message": {...}, "image": "data:…;base64,<streamed>"}
	io.WriteString(w, `{"message":`)
	w.Write(head)
	io.WriteString(w, `,"image":"data:`+img.ContentType+`;base64,`)
	if err := web.StreamBase64(w, img); err != nil {
		s.Log().ErrorContext(r.Context(), "a view-once image failed mid-stream", "message_id", opened.ID, "err", err)
		panic(http.ErrAbortHandler) // the client sees a broken transfer, never a wrong image
	}
	io.WriteString(w, `"}`)
}
