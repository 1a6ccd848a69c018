package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-webauthn/webauthn/protocol"

	"imageapp/app/imageapp"
	"imageapp/app/passkeys"
	"imageapp/app/web"
)

// Passkeys is the passkey service (package passkeys) as the JSON routes use
// it: the two ceremonies, each in two requests, and the list.
type Passkeys interface {
	BeginRegistration(ctx context.Context, u imageapp.User) (*protocol.CredentialCreation, string, error)
	FinishRegistration(ctx context.Context, u imageapp.User, id, name string, answer io.Reader) (imageapp.Passkey, error)
	BeginLogin(ctx context.Context) (*protocol.CredentialAssertion, string, error)
	FinishLogin(ctx context.Context, id string, answer io.Reader) (imageapp.User, error)
	List(ctx context.Context, u imageapp.User) ([]imageapp.Passkey, error)
	Remove(ctx context.Context, u imageapp.User, id string) error
}

// WithPasskeys gives the handlers the passkey service.
func (s *Handlers) WithPasskeys(p Passkeys) *Handlers {
	s.passkeys = p
	return s
}

// passkeyJSON is one of the person's passkeys as settings list it.
type passkeyJSON struct {
	ID       string     `json:"id"` // passkeys.EncodeID: the one to DELETE
	Name     string     `json:"name"`
	Created  time.Time  `json:"created"`
	LastUsed *time.Time `json:"last_used,omitempty"`
}

func passkeyOf(p imageapp.Passkey) passkeyJSON {
	j := passkeyJSON{ID: passkeys.EncodeID(p.ID), Name: p.Name, Created: p.Created}
	if !p.LastUsed.IsZero() {
		used := p.LastUsed
		j.LastUsed = &used
	}
	return j
}

type passkeysReply struct {
	Passkeys []passkeyJSON `json:"passkeys"`
}

// ceremonyReply starts a ceremony: the options the browser's
// navigator.credentials call takes (under "publicKey") and the ID that
// finishes it.
type ceremonyReply struct {
	Ceremony string `json:"ceremony"`
	Options  any    `json:"options"`
}

// ceremonyAnswer finishes one: the ceremony's ID, the name of a passkey
// being added, and the browser's PublicKeyCredential as JSON.
type ceremonyAnswer struct {
	Ceremony   string          `json:"ceremony"`
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

// readAnswer reads a ceremonyAnswer: JSON only, at most web.MaxFormBytes.
func readAnswer(w http.ResponseWriter, r *http.Request) (ceremonyAnswer, error) {
	var a ceremonyAnswer
	if ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ctype != "application/json" {
		return a, imageapp.Errorf(imageapp.EUNSUPPORTED, "Send the passkey's answer as JSON (application/json).")
	}
	r.Body = http.MaxBytesReader(w, r.Body, web.MaxFormBytes)
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
		return a, web.BodyError(web.FormTooLarge(err), "The request body is not valid JSON.")
	}
	if a.Ceremony == "" || len(a.Credential) == 0 {
		return a, imageapp.Errorf(imageapp.EINVALID, "Send the ceremony's ID as \"ceremony\" and the browser's answer as \"credential\".")
	}
	return a, nil
}

// MyPasskeys is GET /api/me/passkeys.
func (s *Handlers) MyPasskeys(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	list, err := s.passkeys.List(r.Context(), u)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	out := passkeysReply{Passkeys: []passkeyJSON{}}
	for _, p := range list {
		out.Passkeys = append(out.Passkeys, passkeyOf(p))
	}
	s.JSON(w, r, http.StatusOK, out)
}

// PasskeyRegisterBegin is POST /api/me/passkeys/begin.
func (s *Handlers) PasskeyRegisterBegin(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if err := s.Limit(r, "passkey-add", u.Username); err != nil {
		s.JSONError(w, r, err)
		return
	}
	opts, id, err := s.passkeys.BeginRegistration(r.Context(), u)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, ceremonyReply{Ceremony: id, Options: opts})
}

// PasskeyRegisterFinish is POST /api/me/passkeys/finish.
func (s *Handlers) PasskeyRegisterFinish(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	a, err := readAnswer(w, r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	p, err := s.passkeys.FinishRegistration(r.Context(), u, a.Ceremony, a.Name, bytes.NewReader(a.Credential))
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusCreated, passkeyOf(p))
}

// PasskeyRemove is DELETE /api/me/passkeys/{id}.
func (s *Handlers) PasskeyRemove(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if err := s.passkeys.Remove(r.Context(), u, chi.URLParam(r, "id")); err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PasskeyLoginBegin is POST /api/passkeys/login/begin: anyone may start
// one, within the login limits of their address.
func (s *Handlers) PasskeyLoginBegin(w http.ResponseWriter, r *http.Request) {
	if err := s.Limit(r, "passkey-login", ""); err != nil {
		s.JSONError(w, r, err)
		return
	}
	opts, id, err := s.passkeys.BeginLogin(r.Context())
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, ceremonyReply{Ceremony: id, Options: opts})
}

// PasskeyLoginFinish is POST /api/passkeys/login/finish: the passkey's
// owner is signed in on this device, as a password login would.
func (s *Handlers) PasskeyLoginFinish(w http.ResponseWriter, r *http.Request) {
	a, err := readAnswer(w, r)
	if err == nil {
		err = s.Limit(r, "passkey-login", "")
	}
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	u, err := s.passkeys.FinishLogin(r.Context(), a.Ceremony, bytes.NewReader(a.Credential))
	if err == nil {
		err = s.SignInAs(w, r, u)
	}
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, accountReply{User: accountOf(u)})
}
