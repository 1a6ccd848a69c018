package pages

import (
	"imageapp/app/accounts"
	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/views"
	"net/http"
)

func (s *Handlers) DeleteAccountPage(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, views.DeleteAccountPage(s.Page(r, "Delete my account", "settings"), "", accounts.RetireDays))
}

func (s *Handlers) DeleteAccountSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.DeleteOwnAccount(w, r); err != nil {
		e := s.ErrorReply(w, r, err)
		s.Render(w, r, e.Status, views.DeleteAccountPage(s.Page(r, "Delete my account", "settings"), e.Message, accounts.RetireDays))
		return
	}
	web.Redirect(w, r, "/login", "account-deleted")
}

// withEmailChange hands the email card the address and the waiting one.
func (s *Handlers) withEmailChange(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, _ := web.CurrentUser(r)
		ec := views.EmailChange{Current: u.Email, Pending: s.PendingEmail(r)}
		if prev, ok := views.EmailChangeOf(r.Context()); ok {
			ec.Error, ec.Field = prev.Error, prev.Field
		}
		next(w, r.WithContext(views.WithEmailChange(r.Context(), ec)))
	}
}

// emailPageReply re-renders the settings page with err in the email card
// (field names the input to focus), or redirects with flash.
func (s *Handlers) emailPageReply(w http.ResponseWriter, r *http.Request, err error, field, flash string) {
	if err == nil {
		web.Redirect(w, r, "/settings#email", flash)
		return
	}
	e := s.ErrorReply(w, r, err)
	ctx := views.WithEmailChange(r.Context(), views.EmailChange{Error: e.Message, Field: field})
	s.settingsCards(func(w http.ResponseWriter, r *http.Request) {
		s.Render(w, r, e.Status, views.SettingsPage(s.Page(r, "Settings", "settings"), s.mailSettings(r)))
	})(w, r.WithContext(ctx))
}

func (s *Handlers) EmailSubmit(w http.ResponseWriter, r *http.Request) {
	_, err := s.RequestEmail(w, r)
	s.emailPageReply(w, r, err, "new_email", "email-code-sent")
}

func (s *Handlers) EmailConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	_, err := s.ConfirmEmail(w, r)
	s.emailPageReply(w, r, err, "code", "email-changed")
}

func (s *Handlers) EmailCancelSubmit(w http.ResponseWriter, r *http.Request) {
	s.emailPageReply(w, r, s.CancelEmail(w, r), "", "email-cancelled")
}

type mailForm struct {
	NotifyByMail string `form:"notify_by_mail"`
}

func (s *Handlers) NotificationsSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := web.ReadForm[mailForm](w, r)
	if err == nil {
		u, _ := web.CurrentUser(r)
		p := imageapp.PrivacyOf(u)
		p.NotifyByMail = f.NotifyByMail != ""
		err = s.accounts.SetPrivacy(r.Context(), u, p)
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	web.Redirect(w, r, "/settings", "notifications-saved") // the top, where the flash is
}

func (s *Handlers) PasswordSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.ChangeOwnPassword(w, r); err != nil {
		e := s.ErrorReply(w, r, err)
		ctx := views.WithPasswordError(r.Context(), e.Message)
		s.settingsCards(func(w http.ResponseWriter, r *http.Request) {
			s.Render(w, r, e.Status, views.SettingsPage(s.Page(r, "Settings", "settings"), s.mailSettings(r)))
		})(w, r.WithContext(ctx))
		return
	}
	// The top of the page, where the flash is: a fragment would scroll past it.
	web.Redirect(w, r, "/settings", "password-changed")
}

// settingsCards hands the settings page's cards what they read from the
// render context; GET /settings and a re-rendered form share it.
func (s *Handlers) settingsCards(next http.HandlerFunc) http.HandlerFunc {
	return s.withPrivacy(s.withBlocked(s.withSessions(s.withEmailChange(next))))
}

// withPrivacy gives the settings page the person's privacy settings (its
// privacy card reads them from the render context).
func (s *Handlers) withPrivacy(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, _ := web.CurrentUser(r)
		p := imageapp.PrivacyOf(u)
		ctx := views.WithPrivacy(r.Context(), views.PrivacySettings{ReadReceipts: p.ReadReceipts, Listed: p.Listed, NotifyByMail: p.NotifyByMail,
			MessageRequests: p.MessageRequests})
		next(w, r.WithContext(ctx))
	}
}

func (s *Handlers) PrivacySubmit(w http.ResponseWriter, r *http.Request) {
	f, err := web.ReadForm[web.PrivacyForm](w, r)
	if err == nil {
		u, _ := web.CurrentUser(r)
		p := imageapp.PrivacyOf(u) // keeps the mail setting, which has a form of its own
		p.ReadReceipts, p.Listed, p.MessageRequests = f.ReadReceipts != "", f.Listed != "", f.MessageRequests != ""
		err = s.accounts.SetPrivacy(r.Context(), u, p)
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	web.Redirect(w, r, "/settings#privacy", "privacy-saved")
}

// withSessions gives the settings page the person's sessions.
func (s *Handlers) withSessions(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rows, err := s.SessionRows(r)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		next(w, r.WithContext(views.WithSessions(r.Context(), rows)))
	}
}

// EndSessionSubmit is POST /settings/sessions/{sid}/end.
func (s *Handlers) EndSessionSubmit(w http.ResponseWriter, r *http.Request) {
	loggedOut, err := s.EndOneSession(w, r)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if loggedOut {
		web.Redirect(w, r, "/login", "logged-out")
		return
	}
	web.Redirect(w, r, "/settings#sessions", "session-ended")
}

// EndOthersSubmit is POST /settings/sessions/end-others.
func (s *Handlers) EndOthersSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if err := s.accounts.EndOtherSessions(r.Context(), u, web.CurrentSID(r)); err != nil {
		s.Fail(w, r, err)
		return
	}
	web.Redirect(w, r, "/settings#sessions", "sessions-ended")
}

func (s *Handlers) mailSettings(r *http.Request) views.MailSettings {
	u, _ := web.CurrentUser(r)
	m := views.MailSettings{Email: u.Email}
	state, err := s.messaging.MailState(r.Context(), u)
	if err != nil {
		s.Log().ErrorContext(r.Context(), "read notification mail state", "err", err)
		m.Error = "We cannot tell right now whether notifications reach you. Try again later."
		return m
	}
	m.State, m.CanResend = string(state), state.CanResend()
	return m
}

func (s *Handlers) SettingsPage(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, views.SettingsPage(s.Page(r, "Settings", "settings"), s.mailSettings(r)))
}

func (s *Handlers) ResendMailSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.ResendMail(r); err != nil {
		s.Fail(w, r, err)
		return
	}
	web.Redirect(w, r, "/settings", "mail-again")
}

// ExportPage answers GET /settings/export (an old bookmark, or a link from
// another site) with the settings page's export card, and spends nothing:
// only the card's POST starts an export, and cross-origin protection keeps
// other sites from posting it.
func (s *Handlers) ExportPage(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/settings#export", http.StatusSeeOther)
}
