package web

import (
	"net/http"

	"imageapp/app/imageapp"
)

// Email notifications on or off (POST /settings/notifications): one
// checkbox, absent means off. The other privacy settings stay as they are.
// The JSON twin is PUT /api/me/privacy's "notify_by_mail".

type mailForm struct {
	NotifyByMail string `form:"notify_by_mail"`
}

func (s *Server) notificationsSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := readForm[mailForm](w, r)
	if err == nil {
		u, _ := currentUser(r)
		p := imageapp.PrivacyOf(u)
		p.NotifyByMail = f.NotifyByMail != ""
		err = s.accounts.SetPrivacy(r.Context(), u, p)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/settings", "notifications-saved") // the top, where the flash is
}
