package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"imageapp/views"
)

// A view-once image opens only by a POST: a GET (a link preview, a
// prefetch, a crawler) can never use up its one view. The answer carries the
// image itself, base64-encoded as it is decrypted, since by then its row and
// its key are gone and nothing is left to fetch it from.

// viewOnceSubmit answers the message page's "Open it now" with a page that
// shows the image.
func (s *Server) viewOnceSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	opened, img, err := s.messaging.ViewOnce(r.Context(), u, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer img.Close()
	v := views.ViewedOnce{From: opened.SenderName, Caption: displayText(opened.Caption), Filename: displayText(opened.Filename)}
	picture := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if _, err := io.WriteString(w, `<img alt="`+templ.EscapeString("Image from "+opened.SenderName)+
			`" class="mx-auto max-h-[70vh] w-auto rounded-lg ring-1 ring-slate-200" src="data:`+img.ContentType+`;base64,`); err != nil {
			return err
		}
		if err := streamBase64(w, img); err != nil {
			return err
		}
		_, err := io.WriteString(w, `">`)
		return err
	})
	s.render(w, r, http.StatusOK, views.ViewedOncePage(s.page(r, "Image from "+opened.SenderName, "inbox"), v, picture))
}

// apiViewOnce is the JSON twin: the opened message, with the image as a
// data: URL in "image", streamed.
func (s *Server) apiViewOnce(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	opened, img, err := s.messaging.ViewOnce(r.Context(), u, chi.URLParam(r, "id"))
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	defer img.Close()
	head, err := json.Marshal(openedOf(opened)) // no image_url: nothing is left to fetch

	if err != nil {
		s.log.ErrorContext(r.Context(), "encode a viewed-once message", "err", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	// {"message": {...}, "image": "data:…;base64,<streamed>"}
	io.WriteString(w, `{"message":`)
	w.Write(head)
	io.WriteString(w, `,"image":"data:`+img.ContentType+`;base64,`)
	if err := streamBase64(w, img); err != nil {
		s.log.ErrorContext(r.Context(), "a view-once image failed mid-stream", "message_id", opened.ID, "err", err)
		panic(http.ErrAbortHandler) // the client sees a broken transfer, never a wrong image
	}
	io.WriteString(w, `"}`)
}

// streamBase64 encodes r into w as it reads it.
func streamBase64(w io.Writer, r io.Reader) error {
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if _, err := io.Copy(enc, r); err != nil {
		return err
	}
	return enc.Close()
}
