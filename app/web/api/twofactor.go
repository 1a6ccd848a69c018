package api

import (
	"context"
	"errors"
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/app/twofactor"
	"imageapp/app/web"
)

// TwoFactor is the two-factor service (package twofactor) as the JSON
// settings use it; the login's code step goes through the core.
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

// secondFactorReply is POST /api/login's answer to a right password when
// a code is next: no session yet; the token goes to POST /api/login/code.
type secondFactorReply struct {
	SecondFactor bool   `json:"second_factor"`
	Token        string `json:"token"`
	ExpiresIn    int    `json:"expires_in"` // seconds
}

// secondFactor answers a login whose code step is next, or reports that
// it is not.
func (s *Handlers) secondFactor(w http.ResponseWriter, r *http.Request, err error) bool {
	var step *web.SecondStep
	if !errors.As(err, &step) {
		return false
	}
	s.JSON(w, r, http.StatusOK, secondFactorReply{SecondFactor: true, Token: step.Token, ExpiresIn: int(twofactor.PendingLoginTTL.Seconds())})
	return true
}

// LoginCode is POST /api/login/code: {"token", "code"} starts the session.
func (s *Handlers) LoginCode(w http.ResponseWriter, r *http.Request) {
	_, u, err := s.LogInCode(w, r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, accountReply{User: accountOf(u)})
}

type twoFactorJSON struct {
	Enabled bool `json:"enabled"`
}

type twoFactorReply struct {
	TwoFactor twoFactorJSON `json:"two_factor"`
}

// enrolmentReply is a new key to put in the authenticator app.
type enrolmentReply struct {
	Secret string `json:"secret"`      // base32, to type
	URL    string `json:"otpauth_url"` // what the QR code holds
	QR     string `json:"qr"`          // a data:image/png URL of the QR code
}

type recoveryReply struct {
	TwoFactor     twoFactorJSON `json:"two_factor"`
	RecoveryCodes []string      `json:"recovery_codes"`
}

// MyTwoFactor is GET /api/me/two-factor.
func (s *Handlers) MyTwoFactor(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	on, err := s.twoFactor.Enabled(r.Context(), u)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, twoFactorReply{TwoFactor: twoFactorJSON{Enabled: on}})
}

// TwoFactorEnrol is POST /api/me/two-factor/enrol: a new key, not in use
// until confirmed; 409 when two-factor is on already.
func (s *Handlers) TwoFactorEnrol(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	e, err := s.twoFactor.Enrol(r.Context(), u)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, enrolmentReply{Secret: e.Secret, URL: e.URL, QR: e.QR})
}

// TwoFactorConfirm is POST /api/me/two-factor/confirm {"code"}: turns it
// on and answers the recovery codes, this once.
func (s *Handlers) TwoFactorConfirm(w http.ResponseWriter, r *http.Request) {
	f, err := s.ReadTwoFactorForm(w, r)
	var codes []string
	if err == nil {
		u, _ := web.CurrentUser(r)
		codes, err = s.twoFactor.Confirm(r.Context(), u, f.Code)
	}
	if err != nil {
		s.JSONError(w, r, web.SettingRefused(err))
		return
	}
	s.JSON(w, r, http.StatusOK, recoveryReply{TwoFactor: twoFactorJSON{Enabled: true}, RecoveryCodes: codes})
}

// TwoFactorDisable is DELETE /api/me/two-factor {"password", "code"}.
func (s *Handlers) TwoFactorDisable(w http.ResponseWriter, r *http.Request) {
	f, err := s.ReadTwoFactorForm(w, r)
	if err == nil {
		u, _ := web.CurrentUser(r)
		err = s.twoFactor.Disable(r.Context(), s.Asking(r, u.Username), u, f.Password, f.Code)
	}
	if err != nil {
		s.JSONError(w, r, web.SettingRefused(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
