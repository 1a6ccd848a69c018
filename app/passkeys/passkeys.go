// Package passkeys is sign-in with passkeys (WebAuthn, through
// github.com/go-webauthn/webauthn): registering one from settings, signing
// in with one without typing a username (discoverable credentials),
// listing and removing them. Credentials live in the app's own stores
// (imageapp.PasskeyStore), so the feature does not depend on the identity
// provider; a passkey is an extra way in, never a replacement for the
// email recovery path.
//
// Each ceremony is two requests: Begin* stores the challenge server side
// (imageapp.Ceremonies, shared by every instance, expiring) and returns its
// options and an ID; Finish* takes the challenge back, once, with that ID.
package passkeys

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"imageapp/app/imageapp"
)

// CeremonyTTL is how long a ceremony's challenge can be answered.
const CeremonyTTL = 5 * time.Minute

// Config names the relying party: the site's host (RPID) and the origins its
// pages are served from, like "https://imageapp.example".
type Config struct {
	RPID        string
	DisplayName string
	Origins     []string
}

// Users finds a passkey's owner.
type Users interface {
	UserByID(ctx context.Context, id string) (imageapp.User, error)
}

// Service runs the ceremonies over the stores.
type Service struct {
	wa         *webauthn.WebAuthn
	store      imageapp.PasskeyStore
	ceremonies imageapp.Ceremonies
	users      Users
	now        func() time.Time
}

// New returns a Service; now may be nil (time.Now).
//
// A site reached by an IP address gets a Service whose ceremonies are
// refused (List and Remove still work): browsers make no passkey for an IP,
// and the library refuses one as the relying party, but the rest of the
// site must still start.
func New(cfg Config, store imageapp.PasskeyStore, ceremonies imageapp.Ceremonies, users Users, now func() time.Time) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	if net.ParseIP(cfg.RPID) != nil {
		return &Service{store: store, ceremonies: ceremonies, users: users, now: now}, nil
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID: cfg.RPID, RPDisplayName: cfg.DisplayName, RPOrigins: cfg.Origins,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: CeremonyTTL, TimeoutUVD: CeremonyTTL},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: CeremonyTTL, TimeoutUVD: CeremonyTTL},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys: config: %w", err)
	}
	return &Service{wa: wa, store: store, ceremonies: ceremonies, users: users, now: now}, nil
}

// errOff refuses a ceremony on a site reached by an IP address.
func errOff() error {
	return imageapp.Errorf(imageapp.EUNAVAILABLE, "Passkeys are off here: this site is reached by an IP address, and browsers make passkeys only for a site with a name. Its operator can set IMAGEAPP_BASE_URL to that name.")
}

// owner is a user as the library sees them. The user handle is the user's
// ID: stable, opaque, and no name or address in it.
type owner struct {
	u     imageapp.User
	creds []webauthn.Credential
}

func (o owner) WebAuthnID() []byte                         { return []byte(o.u.ID) }
func (o owner) WebAuthnName() string                       { return o.u.Username }
func (o owner) WebAuthnDisplayName() string                { return o.u.Username }
func (o owner) WebAuthnCredentials() []webauthn.Credential { return o.creds }

func (s *Service) owner(ctx context.Context, u imageapp.User) (owner, []imageapp.Passkey, error) {
	list, err := s.store.Passkeys(ctx, u.ID)
	if err != nil {
		return owner{}, nil, err
	}
	o := owner{u: u}
	for _, p := range list {
		c, err := decodeRecord(p)
		if err != nil {
			return owner{}, nil, err
		}
		o.creds = append(o.creds, c)
	}
	return o, list, nil
}

func decodeRecord(p imageapp.Passkey) (webauthn.Credential, error) {
	var c webauthn.Credential
	if err := json.Unmarshal(p.Record, &c); err != nil {
		return c, fmt.Errorf("passkeys: stored credential: %w", err)
	}
	c.Authenticator.SignCount = p.SignCount // the store's counter is the one kept atomically
	return c, nil
}

// ceremony is what a ceremony keeps between its two requests.
type ceremony struct {
	Kind    string // "register" or "login"
	UserID  string // who registers; empty for a login
	Session webauthn.SessionData
}

// BeginRegistration starts adding a passkey for u. It returns the options
// for navigator.credentials.create (the JSON a page passes to
// @simplewebauthn/browser's startRegistration, under "publicKey") and the
// ceremony's ID for FinishRegistration. Returns EFORBIDDEN when u has
// MaxPasskeys.
func (s *Service) BeginRegistration(ctx context.Context, u imageapp.User) (*protocol.CredentialCreation, string, error) {
	if s.wa == nil {
		return nil, "", errOff()
	}
	o, list, err := s.owner(ctx, u)
	if err != nil {
		return nil, "", err
	}
	if len(list) >= imageapp.MaxPasskeys {
		return nil, "", tooMany()
	}
	exclude := make([]protocol.CredentialDescriptor, len(o.creds))
	for i := range o.creds {
		exclude[i] = o.creds[i].Descriptor()
	}
	opts, session, err := s.wa.BeginRegistration(o,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithExclusions(exclude),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
	)
	if err != nil {
		return nil, "", fmt.Errorf("passkeys: begin registration: %w", err)
	}
	id, err := s.put(ctx, ceremony{Kind: "register", UserID: u.ID, Session: *session})
	if err != nil {
		return nil, "", err
	}
	return opts, id, nil
}

func tooMany() error {
	return imageapp.Errorf(imageapp.EFORBIDDEN, "You have %d passkeys, the most you can have. Remove one to add another.", imageapp.MaxPasskeys)
}

// FinishRegistration checks the browser's answer (the JSON of the
// PublicKeyCredential, as startRegistration returns it) to ceremony id and
// stores the passkey under name. Returns EUNAUTHORIZED when the answer does
// not hold (wrong origin, wrong challenge, an expired or used ceremony, or
// one begun for someone else), ECONFLICT when the passkey is registered
// already.
func (s *Service) FinishRegistration(ctx context.Context, u imageapp.User, id, name string, answer io.Reader) (imageapp.Passkey, error) {
	if s.wa == nil {
		return imageapp.Passkey{}, errOff()
	}
	c, err := s.take(ctx, id, "register")
	if err != nil {
		return imageapp.Passkey{}, err
	}
	if c.UserID != u.ID {
		return imageapp.Passkey{}, refused(fmt.Errorf("ceremony begun for another user"))
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(answer)
	if err != nil {
		return imageapp.Passkey{}, refused(err)
	}
	o, _, err := s.owner(ctx, u)
	if err != nil {
		return imageapp.Passkey{}, err
	}
	cred, err := s.wa.CreateCredential(o, c.Session, parsed)
	if err != nil {
		return imageapp.Passkey{}, refused(err)
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return imageapp.Passkey{}, fmt.Errorf("passkeys: encode credential: %w", err)
	}
	p := imageapp.Passkey{
		ID: cred.ID, UserID: u.ID, Name: cleanName(name, s.now()), Record: record,
		SignCount: cred.Authenticator.SignCount, Created: s.now().UTC(),
	}
	if err := s.store.AddPasskey(ctx, p); err != nil {
		return imageapp.Passkey{}, err
	}
	return p, nil
}

// cleanName keeps a passkey's name short and printable, or names it by date.
func cleanName(name string, now time.Time) string {
	name = strings.Join(strings.Fields(name), " ")
	for len(name) > 64 || !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
		if len(name) > 64 {
			name = name[:64]
		}
	}
	if name == "" {
		return "Passkey added " + now.UTC().Format("2 Jan 2006")
	}
	return name
}

// BeginLogin starts a username-less sign-in: the options for
// navigator.credentials.get (startAuthentication's "publicKey") and the
// ceremony's ID.
func (s *Service) BeginLogin(ctx context.Context) (*protocol.CredentialAssertion, string, error) {
	if s.wa == nil {
		return nil, "", errOff()
	}
	opts, session, err := s.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, "", fmt.Errorf("passkeys: begin login: %w", err)
	}
	id, err := s.put(ctx, ceremony{Kind: "login", Session: *session})
	if err != nil {
		return nil, "", err
	}
	return opts, id, nil
}

// FinishLogin checks the browser's assertion for ceremony id and returns
// the passkey's owner, who is then signed in. Returns EUNAUTHORIZED when it
// does not hold: an unknown or removed passkey, a wrong origin or
// challenge, an expired or used ceremony, or a signature counter that did
// not go up (a cloned authenticator).
func (s *Service) FinishLogin(ctx context.Context, id string, answer io.Reader) (imageapp.User, error) {
	if s.wa == nil {
		return imageapp.User{}, errOff()
	}
	c, err := s.take(ctx, id, "login")
	if err != nil {
		return imageapp.User{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(answer)
	if err != nil {
		return imageapp.User{}, refused(err)
	}
	var found imageapp.Passkey
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		p, err := s.store.Passkey(ctx, rawID)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(userHandle, []byte(p.UserID)) {
			return nil, fmt.Errorf("passkeys: user handle is not the passkey's owner")
		}
		u, err := s.users.UserByID(ctx, p.UserID)
		if err != nil {
			return nil, err
		}
		cred, err := decodeRecord(p)
		if err != nil {
			return nil, err
		}
		found = p
		return owner{u: u, creds: []webauthn.Credential{cred}}, nil
	}
	user, cred, err := s.wa.ValidatePasskeyLogin(handler, c.Session, parsed)
	if err != nil {
		// A store that failed in the handler is refused too (closed); the
		// cause stays in the error for the log.
		return imageapp.User{}, refused(err)
	}
	if cred.Authenticator.CloneWarning {
		return imageapp.User{}, refused(fmt.Errorf("signature counter %d not above %d: a cloned authenticator", cred.Authenticator.SignCount, found.SignCount))
	}
	err = s.store.UsePasskey(ctx, found.ID, cred.Authenticator.SignCount, s.now().UTC())
	if code := imageapp.ErrorCode(err); code == imageapp.ECONFLICT || code == imageapp.ENOTFOUND {
		return imageapp.User{}, refused(err)
	}
	if err != nil {
		return imageapp.User{}, err
	}
	return user.(owner).u, nil
}

// List returns u's passkeys, newest first, for the settings page.
func (s *Service) List(ctx context.Context, u imageapp.User) ([]imageapp.Passkey, error) {
	return s.store.Passkeys(ctx, u.ID)
}

// Remove removes u's passkey whose ID is id (EncodeID's form). Returns
// ENOTFOUND when u has no such passkey.
func (s *Service) Remove(ctx context.Context, u imageapp.User, id string) error {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return imageapp.Errorf(imageapp.ENOTFOUND, "That passkey is not one of yours.")
	}
	return s.store.RemovePasskey(ctx, u.ID, raw)
}

// EncodeID is how a passkey's ID appears in pages and URLs.
func EncodeID(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

func (s *Service) put(ctx context.Context, c ceremony) (string, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("passkeys: encode ceremony: %w", err)
	}
	id := rand.Text()
	if err := s.ceremonies.PutCeremony(ctx, id, data, s.now().Add(CeremonyTTL)); err != nil {
		return "", err
	}
	return id, nil
}

func (s *Service) take(ctx context.Context, id, kind string) (ceremony, error) {
	var c ceremony
	data, err := s.ceremonies.TakeCeremony(ctx, id, s.now())
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return c, refused(err)
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("passkeys: stored ceremony: %w", err)
	}
	if c.Kind != kind {
		return c, refused(fmt.Errorf("a %s ceremony answered as %s", c.Kind, kind))
	}
	return c, nil
}

// refused is the one answer to a ceremony that does not hold; why is kept
// for the log.
func refused(why error) error {
	return fmt.Errorf("%w (%v)", imageapp.Errorf(imageapp.EUNAUTHORIZED, "That passkey did not work here. Try again, or sign in with your password."), why)
}
