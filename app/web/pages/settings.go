package pages

import (
	"net/http"

	"imageapp/app/accounts"
	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/views"
)

// DeleteAccountPage is GET /settings/delete.
func (s *Handlers) DeleteAccountPage(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, views.DeleteAccountPage(s.frame(r, "Delete my account", "settings"), "", accounts.RetireDays))
}

// DeleteAccountSubmit is POST /settings/delete.
func (s *Handlers) DeleteAccountSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.DeleteOwnAccount(w, r); err != nil {
		e := s.ErrorReply(w, r, err)
		s.Render(w, r, e.Status, views.DeleteAccountPage(s.frame(r, "Delete my account", "settings"), e.Message, accounts.RetireDays))
		return
	}
	web.Redirect(w, r, "/login", "account-deleted")
}

// emailPageReply re-renders the settings page with err in the email card
// (field names the input to focus), or redirects with flash.
func (s *Handlers) emailPageReply(w http.ResponseWriter, r *http.Request, err error, field, flash string) {
	if err == nil {
		web.Redirect(w, r, "/settings#email", flash)
		return
	}
	e := s.ErrorReply(w, r, err)
	s.renderSettings(w, r, e.Status, func(m *views.Settings) { m.Email.Error, m.Email.Field = e.Message, field })
}

// EmailSubmit is POST /settings/email.
func (s *Handlers) EmailSubmit(w http.ResponseWriter, r *http.Request) {
	_, err := s.RequestEmail(w, r)
	s.emailPageReply(w, r, err, "new_email", "email-code-sent")
}

// EmailConfirmSubmit is POST /settings/email/confirm.
func (s *Handlers) EmailConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	_, err := s.ConfirmEmail(w, r)
	s.emailPageReply(w, r, err, "code", "email-changed")
}

// EmailCancelSubmit is POST /settings/email/cancel.
func (s *Handlers) EmailCancelSubmit(w http.ResponseWriter, r *http.Request) {
	s.emailPageReply(w, r, s.CancelEmail(w, r), "", "email-cancelled")
}

type mailForm struct {
	NotifyByMail string `form:"notify_by_mail"`
}

// NotificationsSubmit is POST /settings/notifications.
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

// PasswordSubmit is POST /settings/password.
func (s *Handlers) PasswordSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.ChangeOwnPassword(w, r); err != nil {
		e := s.ErrorReply(w, r, err)
		s.renderSettings(w, r, e.Status, func(m *views.Settings) { m.PasswordError = e.Message })
		return
	}
	// The top of the page, where the flash is: a fragment would scroll past it.
	web.Redirect(w, r, "/settings", "password-changed")
}

// PrivacySubmit is POST /settings/privacy.
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

// SettingsPage is GET /settings.
func (s *Handlers) SettingsPage(w http.ResponseWriter, r *http.Request) {
	s.renderSettings(w, r, http.StatusOK, nil)
}

// renderSettings reads the settings page's model, lets refused change it
// (a form's error in its card), and renders the page with status.
func (s *Handlers) renderSettings(w http.ResponseWriter, r *http.Request, status int, refused func(*views.Settings)) {
	m, err := s.settings(r)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if refused != nil {
		refused(&m)
	}
	s.Render(w, r, status, views.SettingsPage(s.frame(r, "Settings", "settings"), m))
}

// settings reads what the settings page shows of the person: their
// privacy settings and address (from the session's user), the address
// waiting for its code, the people they block, their sessions and the
// state of their notification mail.
func (s *Handlers) settings(r *http.Request) (views.Settings, error) {
	u, _ := web.CurrentUser(r)
	p := imageapp.PrivacyOf(u)
	m := views.Settings{
		Privacy: views.PrivacySettings{ReadReceipts: p.ReadReceipts, Listed: p.Listed, NotifyByMail: p.NotifyByMail,
			MessageRequests: p.MessageRequests},
		Email: views.EmailChange{Current: u.Email, Pending: s.PendingEmail(r)},
	}
	var err error
	if m.Blocked, err = s.blockedNames(r); err != nil {
		return m, err
	}
	if m.Sessions, err = s.SessionRows(r); err != nil {
		return m, err
	}
	if m.Passkeys, err = s.passkeyRows(r); err != nil {
		return m, err
	}
	if m.TwoFactor, err = s.twoFactorSettings(r); err != nil {
		return m, err
	}
	m.Mail = s.mailSettings(r)
	return m, nil
}

// ResendMailSubmit is POST /settings/mail/resend.
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
