package pages

import (
	"context"
	"io"
	"net/http"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/views"
)

// MessagePage is GET /messages/{id}.
func (s *Handlers) MessagePage(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	m, err := s.messaging.Open(r.Context(), u, chi.URLParam(r, "id"), web.Access(r, ""))
	if imageapp.ErrorCode(err) == imageapp.EFORBIDDEN { // a message request: point to where it is decided
		s.Render(w, r, http.StatusForbidden, views.RequestErrorPage(s.frame(r, "Message request", "inbox"), imageapp.ErrorMessage(err)))
		return
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v := views.OpenedMessage{Message: listedOne(m.Message), Caption: web.DisplayText(m.Caption), Filename: web.DisplayText(m.Filename), ViewerIsRecipient: m.RecipientID == u.ID}
	if v.ViewerIsRecipient {
		s.Render(w, r, http.StatusOK, views.MessagePage(s.frame(r, "Image from "+m.SenderName, "inbox"), v))
		return
	}
	s.Render(w, r, http.StatusOK, views.MessagePage(s.frame(r, "Image to "+m.RecipientName, "sent"), v))
}

// DeleteSubmit deletes a message for both people when the form says
// confirm=yes (the confirmation's button, or a script); without it, it only
// asks, so one click with JavaScript off never deletes.
func (s *Handlers) DeleteSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	f, err := web.ReadForm[web.DeleteForm](w, r)
	if err == nil && f.Confirm != "yes" {
		s.deleteConfirm(w, r, u)
		return
	}
	if err == nil {
		err = s.messaging.Delete(r.Context(), u, chi.URLParam(r, "id"))
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	back := "/inbox"
	if f.Back == "/sent" { // the mailbox the message was opened from
		back = "/sent"
	}
	web.Redirect(w, r, back, "deleted")
}

// deleteConfirm is the page that asks before deleting; 404 unless the
// message is the viewer's to delete.
func (s *Handlers) deleteConfirm(w http.ResponseWriter, r *http.Request, u imageapp.User) {
	m, err := s.messaging.Open(r.Context(), u, chi.URLParam(r, "id"), web.Access(r, ""))
	if err != nil {
		s.Fail(w, r, err)
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
	s.Render(w, r, http.StatusOK, views.DeleteConfirmPage(s.frame(r, "Delete this image?", active), d))
}

// ViewOnceSubmit answers the message page's "Open it now" with a page that
// shows the image.
func (s *Handlers) ViewOnceSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	opened, img, err := s.messaging.ViewOnce(r.Context(), u, chi.URLParam(r, "id"), web.Access(r, ""))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	defer img.Close()
	v := views.ViewedOnce{From: opened.SenderName, Caption: web.DisplayText(opened.Caption), Filename: web.DisplayText(opened.Filename)}
	picture := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if _, err := io.WriteString(w, `<img alt="`+templ.EscapeString("Image from "+opened.SenderName)+
			`" class="mx-auto max-h-[70vh] w-auto rounded-lg ring-1 ring-slate-200" src="data:`+img.ContentType+`;base64,`); err != nil {
			return err
		}
		if err := web.StreamBase64(w, img); err != nil {
			return err
		}
		_, err := io.WriteString(w, `">`)
		return err
	})
	s.Render(w, r, http.StatusOK, views.ViewedOncePage(s.frame(r, "Image from "+opened.SenderName, "inbox"), v, picture))
}
