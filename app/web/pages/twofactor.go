package pages

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"imageapp/app/imageapp"
	"imageapp/app/twofactor"
	"imageapp/app/web"
	"imageapp/views"
)

// TwoFactor is what the pages ask of the two-factor service (package
// twofactor) in settings; the login's code step goes through the core.
type TwoFactor interface {
	Enabled(ctx context.Context, u imageapp.User) (bool, error)
	Enrol(ctx context.Context, u imageapp.User) (twofactor.Enrolment, error)
	Confirm(ctx context.Context, u imageapp.User, code string) ([]string, error)
	Disable(ctx context.Context, who imageapp.Requester, u imageapp.User, password, code string) error
}

// WithTwoFactor gives the handlers the two-factor service.
func (s *Handlers) WithTwoFactor(t TwoFactor) *Handlers {
	s.twoFactor = t
	return s
}

// loginCode answers a right password when the code step is next, or
// reports that it is not.
func (s *Handlers) loginCode(w http.ResponseWriter, r *http.Request, err error, next string) bool {
	var step *web.SecondStep
	if !errors.As(err, &step) {
		return false
	}
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, http.StatusOK, views.LoginCodePage(s.frame(r, "Enter your code", "login"), views.LoginCode{Token: step.Token, Next: next}))
	return true
}

// LoginCodeSubmit is POST /login/code: the second step of a login.
func (s *Handlers) LoginCodeSubmit(w http.ResponseWriter, r *http.Request) {
	f, _, err := s.LogInCode(w, r)
	if err != nil {
		e := s.ErrorReply(w, r, err)
		w.Header().Set("Cache-Control", "no-store")
		c := views.LoginCode{Token: f.Token, Next: f.Next, Error: e.Message}
		s.Render(w, r, e.Status, views.LoginCodePage(s.frame(r, "Enter your code", "login"), c))
		return
	}
	w.Header().Set("Location", web.LocalPath(f.Next)) // as LoginSubmit
	w.WriteHeader(http.StatusSeeOther)
}

// LoginCodePage answers GET /login/code (a reload, a bookmark): the code
// step lives only in the page the password answered with.
func (s *Handlers) LoginCodePage(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// twoFactorSettings reads the settings card's state.
func (s *Handlers) twoFactorSettings(r *http.Request) (views.TwoFactorSettings, error) {
	if s.twoFactor == nil {
		return views.TwoFactorSettings{}, nil
	}
	u, _ := web.CurrentUser(r)
	on, err := s.twoFactor.Enabled(r.Context(), u)
	return views.TwoFactorSettings{Enabled: on}, err
}

// GroupSecret writes a base32 secret in groups of four, for typing.
func GroupSecret(secret string) string {
	var b strings.Builder
	for i, c := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// TwoFactorEnrolSubmit is POST /settings/two-factor/enrol: a new key, shown
// as a QR code and typed, waiting for a code to turn it on.
func (s *Handlers) TwoFactorEnrolSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	e, err := s.twoFactor.Enrol(r.Context(), u)
	if err != nil {
		s.twoFactorRefused(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the page holds the secret
	s.Render(w, r, http.StatusOK, views.TwoFactorEnrolPage(s.frame(r, "Set up two-factor", "settings"),
		views.TwoFactorEnrol{QR: e.QR, Secret: GroupSecret(e.Secret)}))
}

// TwoFactorConfirmSubmit is POST /settings/two-factor/confirm: a right code
// turns two-factor on and shows the recovery codes, once.
func (s *Handlers) TwoFactorConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.ReadTwoFactorForm(w, r)
	var codes []string
	if err == nil {
		u, _ := web.CurrentUser(r)
		codes, err = s.twoFactor.Confirm(r.Context(), u, f.Code)
	}
	if err != nil {
		err = web.SettingRefused(err)
		if c := imageapp.ErrorCode(err); c == imageapp.ECONFLICT || c == imageapp.ENOTFOUND {
			s.twoFactorRefused(w, r, err) // on already, or nothing to confirm: settings say which
			return
		}
		e := s.ErrorReply(w, r, err)
		s.Render(w, r, e.Status, views.TwoFactorEnrolPage(s.frame(r, "Set up two-factor", "settings"), views.TwoFactorEnrol{Error: e.Message}))
		return
	}
	s.Render(w, r, http.StatusOK, views.TwoFactorCodesPage(s.frame(r, "Recovery codes", "settings"), codes))
}

// TwoFactorDisableSubmit is POST /settings/two-factor/disable: the password
// and a code turn it off.
func (s *Handlers) TwoFactorDisableSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.ReadTwoFactorForm(w, r)
	if err == nil {
		u, _ := web.CurrentUser(r)
		err = s.twoFactor.Disable(r.Context(), s.Asking(r, u.Username), u, f.Password, f.Code)
	}
	if err != nil {
		s.twoFactorRefused(w, r, err)
		return
	}
	web.Redirect(w, r, "/settings#two-factor", "two-factor-off")
}

// twoFactorRefused shows the settings page with err in the two-factor card.
func (s *Handlers) twoFactorRefused(w http.ResponseWriter, r *http.Request, err error) {
	e := s.ErrorReply(w, r, web.SettingRefused(err))
	s.renderSettings(w, r, e.Status, func(m *views.Settings) { m.TwoFactor.Error = e.Message })
}
