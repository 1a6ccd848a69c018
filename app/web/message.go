package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"imageapp/app/messaging"
	"imageapp/views"
)

func (s *Server) messagePage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	m, err := s.messaging.Open(r.Context(), u, chi.URLParam(r, "id"))
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
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("Content-Length", strconv.FormatInt(img.Size, 10))
	h.Set("Content-Disposition", `inline; filename="image-`+img.ID[:8]+messaging.Extension(img.ContentType)+`"`)
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
			s.log.Error("image failed authentication mid-stream", "message_id", img.ID, "err", err)
		case errors.Is(err, errSlowReader):
			s.log.Info("client stopped reading an image; dropped", "message_id", img.ID)
		}
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) deleteSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f, err := readForm[deleteForm](w, r)
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

func (s *Server) apiDelete(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := s.messaging.Delete(r.Context(), u, chi.URLParam(r, "id")); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
