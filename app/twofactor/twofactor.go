// Package twofactor is two-factor sign-in with an authenticator app (TOTP,
// RFC 6238): enrolment with a QR code made here, confirmation, ten
// single-use recovery codes, the second step of a login, and turning it off.
//
// The secret is sealed at rest like a thumbnail key: a data key from the
// user's own key (Keys) seals it, and only the wrapped data key is stored
// beside it, so a copy of the store (SQLite file, DynamoDB table) makes no
// codes. Recovery codes are stored as hashes only.
package twofactor

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"imageapp/app/imageapp"
	"imageapp/app/ratelimit"
)

const (
	period        = 30 // seconds a code lives (the authenticator apps' default)
	digits        = otp.DigitsSix
	RecoveryCodes = 10
	qrSize        = 256 // pixels of the QR code's PNG
)

// Passwords checks a password, as imageapp.Identity.Login does.
type Passwords interface {
	Login(ctx context.Context, who imageapp.Requester, username, password string) (imageapp.Principal, error)
}

// Service runs the two-factor flows over a store.
type Service struct {
	Store     imageapp.TwoFactorStore
	Keys      imageapp.Keys
	Passwords Passwords

	// Limits and Rule bound the codes tried for one user, right or wrong:
	// the web layer passes login's per-user rule, so a code is guessed no
	// faster than a password. A Limits that cannot answer refuses.
	Limits ratelimit.Store
	Rule   ratelimit.Rule

	// Pending keeps logins waiting for their code (StartLogin), and Users
	// finds their user again.
	Pending imageapp.Ceremonies
	Users   interface {
		UserByID(ctx context.Context, id string) (imageapp.User, error)
	}

	// Record writes the unwrap of the secret's key to the user's decrypt
	// record first (decryptlog): the record holds every use of the user's
	// key, images or not. An entry that cannot be written refuses the check.
	// Nil keeps no record (an app without one).
	Record interface {
		Record(ctx context.Context, owner string, e imageapp.DecryptEntry) error
	}

	App    string // the "app" value of the sealing key's encryption context
	Issuer string // the name the authenticator app shows, like "ImageApp"
	Now    func() time.Time
}

// Enrolment is what the settings page shows to set up the authenticator app.
type Enrolment struct {
	Secret string // base32, for typing in by hand
	URL    string // the otpauth:// URL the QR code holds
	QR     string // a data:image/png;base64 URL of the QR code, for an <img src>
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Enrol makes a new secret for u and stores it sealed and unconfirmed:
// login does not ask for codes until Confirm. Enrolling again before
// confirming starts over. Returns ECONFLICT when two-factor is on already.
func (s *Service) Enrol(ctx context.Context, u imageapp.User) (Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: s.Issuer, AccountName: u.Username, Period: period, Digits: digits, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return Enrolment{}, fmt.Errorf("twofactor: generate: %w", err)
	}
	sealed, wrapped, err := s.seal(ctx, u, []byte(key.Secret()))
	if err != nil {
		return Enrolment{}, err
	}
	err = s.Store.PutTwoFactor(ctx, u.ID, imageapp.TwoFactor{SealedSecret: sealed, WrappedKey: wrapped})
	if imageapp.ErrorCode(err) == imageapp.ECONFLICT {
		return Enrolment{}, imageapp.Errorf(imageapp.ECONFLICT, "Two-factor sign-in is on already. Turn it off first to set up another app.")
	}
	if err != nil {
		return Enrolment{}, err
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return Enrolment{}, fmt.Errorf("twofactor: QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, fmt.Errorf("twofactor: QR code: %w", err)
	}
	return Enrolment{
		Secret: key.Secret(),
		URL:    key.URL(),
		QR:     "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
	}, nil
}

// Confirm turns two-factor on once code, from the app just set up, is
// right, and returns the recovery codes, to be shown once: only their
// hashes are kept. Returns ENOTFOUND when there is no enrolment, ECONFLICT
// when it is on already, EUNAUTHORIZED for a wrong code, ERATELIMITED past
// the limit.
func (s *Service) Confirm(ctx context.Context, u imageapp.User, code string) ([]string, error) {
	if err := s.take(ctx, u); err != nil {
		return nil, err
	}
	tf, err := s.Store.TwoFactor(ctx, u.ID)
	if err != nil {
		return nil, notEnrolled(err)
	}
	if tf.Confirmed {
		return nil, imageapp.Errorf(imageapp.ECONFLICT, "Two-factor sign-in is on already.")
	}
	step, err := s.matchTOTP(ctx, u, tf, code)
	if err != nil {
		return nil, err
	}
	codes, hashes, err := newRecoveryCodes(u.ID)
	if err != nil {
		return nil, err
	}
	if err := s.Store.ConfirmTwoFactor(ctx, u.ID, hashes, step); err != nil {
		return nil, err
	}
	return codes, nil
}

// Enabled reports whether login asks u for a code.
func (s *Service) Enabled(ctx context.Context, u imageapp.User) (bool, error) {
	tf, err := s.Store.TwoFactor(ctx, u.ID)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return tf.Confirmed, nil
}

// Verify is the second step of a login: code is a code from the app, used
// once (a code accepted before, on any instance, is refused), or one of the
// recovery codes, which then stops working. Returns EUNAUTHORIZED for a
// wrong or used code, ERATELIMITED past the limit, ENOTFOUND when u has not
// turned two-factor on.
func (s *Service) Verify(ctx context.Context, u imageapp.User, code string) error {
	if err := s.take(ctx, u); err != nil {
		return err
	}
	tf, err := s.Store.TwoFactor(ctx, u.ID)
	if err != nil {
		return notEnrolled(err)
	}
	if !tf.Confirmed {
		return imageapp.Errorf(imageapp.ENOTFOUND, "Two-factor sign-in is not on.")
	}
	if !isTOTPCode(code) {
		err := s.Store.UseRecoveryCode(ctx, u.ID, recoveryHash(u.ID, code))
		if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
			return wrongCode()
		}
		return err
	}
	step, err := s.matchTOTP(ctx, u, tf, code)
	if err != nil {
		return err
	}
	err = s.Store.UseTwoFactorStep(ctx, u.ID, step)
	if imageapp.ErrorCode(err) == imageapp.ECONFLICT {
		return imageapp.Errorf(imageapp.EUNAUTHORIZED, "That code was used already. Wait for the next one in your app.")
	}
	return err
}

// Disable turns two-factor off; it needs u's password and a code (from the
// app or a recovery code). Returns EUNAUTHORIZED for a wrong password or
// code, ERATELIMITED past the limit.
func (s *Service) Disable(ctx context.Context, who imageapp.Requester, u imageapp.User, password, code string) error {
	if err := s.take(ctx, u); err != nil {
		return err
	}
	if _, err := s.Passwords.Login(ctx, who, u.Username, password); err != nil {
		return err
	}
	// Verify takes a second token: turning it off costs two tries of the
	// budget, which only makes guessing slower.
	if err := s.Verify(ctx, u, code); err != nil {
		return err
	}
	return s.Store.DeleteTwoFactor(ctx, u.ID)
}

// take charges one try to u's bucket.
func (s *Service) take(ctx context.Context, u imageapp.User) error {
	ok, wait, err := s.Limits.Take(ctx, s.Rule, "twofactor:user:"+u.ID)
	if err != nil {
		return fmt.Errorf("%w (%v)", imageapp.Errorf(imageapp.EUNAVAILABLE, "We cannot check sign-in attempts right now, so we are not accepting any. Try again in a minute."), err)
	}
	if !ok {
		return imageapp.RateLimited(wait)
	}
	return nil
}

// matchTOTP returns the time step whose code is code, within one step of
// now either way (clocks drift), after LastStep. Returns EUNAUTHORIZED when
// none is.
func (s *Service) matchTOTP(ctx context.Context, u imageapp.User, tf imageapp.TwoFactor, code string) (int64, error) {
	code = strings.TrimSpace(code)
	if !isTOTPCode(code) {
		return 0, wrongCode()
	}
	secret, err := s.open(ctx, u, tf)
	if err != nil {
		return 0, err
	}
	now := s.now().Unix() / period
	for step := now - 1; step <= now+1; step++ {
		if step <= tf.LastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(string(secret), time.Unix(step*period, 0), totp.ValidateOpts{
			Period: period, Digits: digits, Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			return 0, fmt.Errorf("twofactor: code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, nil
		}
	}
	return 0, wrongCode()
}

func isTOTPCode(code string) bool {
	code = strings.TrimSpace(code)
	if len(code) != int(digits) {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func wrongCode() error {
	return imageapp.Errorf(imageapp.EUNAUTHORIZED, "That code is not right. Type the 6 digits your app shows now, or a recovery code.")
}

func notEnrolled(err error) error {
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return imageapp.Errorf(imageapp.ENOTFOUND, "Two-factor sign-in is not set up.")
	}
	return err
}

// encCtx binds the sealing key to its purpose and owner.
func (s *Service) encCtx(u imageapp.User) map[string]string {
	return map[string]string{"app": s.App, "user_id": u.ID, "purpose": "totp"}
}

func aad(u imageapp.User) []byte { return []byte("imageapp-totp-v1|" + u.ID) }

// seal seals secret under a fresh data key from u's key.
func (s *Service) seal(ctx context.Context, u imageapp.User, secret []byte) (sealed, wrapped []byte, err error) {
	dk, err := s.Keys.GenerateDataKey(ctx, u.KeyID, s.encCtx(u))
	if err != nil {
		return nil, nil, fmt.Errorf("twofactor: data key: %w", err)
	}
	defer clear(dk.Plaintext)
	aead, err := gcm(dk.Plaintext)
	if err != nil {
		return nil, nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, secret, aad(u)), dk.Ciphertext, nil
}

// open unseals tf's secret.
func (s *Service) open(ctx context.Context, u imageapp.User, tf imageapp.TwoFactor) ([]byte, error) {
	encCtx := s.encCtx(u)
	if s.Record != nil {
		e := imageapp.DecryptEntry{MessageID: imageapp.RecordTwoFactor, Purpose: imageapp.PurposeTwoFactor,
			By: imageapp.Asker{UserID: u.ID, Username: u.Username}, Context: encCtx}
		if err := s.Record.Record(ctx, u.ID, e); err != nil {
			return nil, fmt.Errorf("%w (%v)", imageapp.Errorf(imageapp.EUNAVAILABLE, "We cannot check two-factor codes right now. Try again in a minute."), err)
		}
	}
	key, err := s.Keys.Decrypt(ctx, u.KeyID, tf.WrappedKey, encCtx)
	if err != nil {
		return nil, fmt.Errorf("twofactor: unwrap: %w", err)
	}
	defer clear(key)
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(tf.SealedSecret) < n {
		return nil, fmt.Errorf("%w: twofactor: sealed secret too short", imageapp.Errorf(imageapp.EINTEGRITY, "Your two-factor settings are damaged."))
	}
	secret, err := aead.Open(nil, tf.SealedSecret[:n], tf.SealedSecret[n:], aad(u))
	if err != nil {
		return nil, fmt.Errorf("%w: twofactor: %v", imageapp.Errorf(imageapp.EINTEGRITY, "Your two-factor settings are damaged."), err)
	}
	return secret, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("twofactor: cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// recoveryEncoding writes recovery codes: RFC 4648 base32, lower-cased.
var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRecoveryCodes makes RecoveryCodes codes of 80 random bits each, shown
// as xxxx-xxxx-xxxx-xxxx, and their hashes. 80 bits make a plain SHA-256
// enough: no one searches that space from a stolen hash.
func newRecoveryCodes(userID string) (codes, hashes []string, err error) {
	for range RecoveryCodes {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("twofactor: random: %w", err)
		}
		s := strings.ToLower(recoveryEncoding.EncodeToString(b)) // 16 characters
		code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes = append(codes, code)
		hashes = append(hashes, recoveryHash(userID, code))
	}
	return codes, hashes, nil
}

// recoveryHash hashes a recovery code as typed: case, spaces and dashes do
// not matter.
func recoveryHash(userID, code string) string {
	norm := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte("imageapp-recovery-v1|" + userID + "|" + norm))
	return hex.EncodeToString(sum[:])
}

// PendingLoginTTL is how long a login whose password was right waits for
// its code.
const PendingLoginTTL = 5 * time.Minute

// maxPendingTries is how many wrong codes one pending login takes before
// the password is asked again.
const maxPendingTries = 5

// pendingLogin is the server's half of a login waiting for its code.
type pendingLogin struct {
	UserID  string
	Tries   int
	Expires time.Time
}

// StartLogin records that u's password was right and returns a token for
// the second step (a hidden form field or a short-lived cookie): it names
// no one, works on any instance, for PendingLoginTTL. The session must not
// start until FinishLogin accepts a code.
func (s *Service) StartLogin(ctx context.Context, u imageapp.User) (string, error) {
	p := pendingLogin{UserID: u.ID, Expires: s.now().Add(PendingLoginTTL)}
	token := "2fa-" + rand.Text()
	return token, s.putPending(ctx, token, p)
}

func (s *Service) putPending(ctx context.Context, token string, p pendingLogin) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("twofactor: encode pending login: %w", err)
	}
	return s.Pending.PutCeremony(ctx, token, data, p.Expires)
}

// FinishLogin checks code for the login token started and returns the user
// to sign in. A wrong code may be tried again with the same token, up to
// maxPendingTries; then, or after PendingLoginTTL, the token is gone
// (EUNAUTHORIZED: sign in again). Returns ERATELIMITED past the user's
// limit.
func (s *Service) FinishLogin(ctx context.Context, token, code string) (imageapp.User, error) {
	again := imageapp.Errorf(imageapp.EUNAUTHORIZED, "That sign-in expired. Enter your username and password again.")
	if !strings.HasPrefix(token, "2fa-") {
		return imageapp.User{}, again // not one of ours (a passkey ceremony's ID, say)
	}
	data, err := s.Pending.TakeCeremony(ctx, token, s.now())
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return imageapp.User{}, again
	}
	if err != nil {
		return imageapp.User{}, err
	}
	var p pendingLogin
	if err := json.Unmarshal(data, &p); err != nil {
		return imageapp.User{}, fmt.Errorf("twofactor: stored pending login: %w", err)
	}
	u, err := s.Users.UserByID(ctx, p.UserID)
	if err != nil {
		return imageapp.User{}, err
	}
	err = s.Verify(ctx, u, code)
	switch imageapp.ErrorCode(err) {
	case "":
		return u, nil
	case imageapp.EUNAUTHORIZED:
		p.Tries++
		if p.Tries >= maxPendingTries {
			return imageapp.User{}, fmt.Errorf("%w (%v)", again, err)
		}
		fallthrough
	case imageapp.ERATELIMITED:
		if putErr := s.putPending(ctx, token, p); putErr != nil {
			return imageapp.User{}, putErr
		}
	}
	return imageapp.User{}, err
}
