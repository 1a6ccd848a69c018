package conformance

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"imageapp/app/imageapp"
	"imageapp/app/ratelimit"
	"imageapp/app/twofactor"
)

// handClock is a clock the test moves by hand: TOTP codes depend on
// which 30-second step it is.
type handClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *handClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *handClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (e *env) twoFactor(rule ratelimit.Rule) (*twofactor.Service, *handClock) {
	// The start of a step, so the step changes only when the test says so.
	c := &handClock{t: time.Unix(time.Now().Unix()/30*30, 0)}
	return &twofactor.Service{
		Store: e.TwoFactor, Keys: e.Keys, Passwords: e.Identity,
		Limits: ratelimit.NewMemory(nil), Rule: rule, Pending: e.Ceremonies, Users: e.Users,
		App: "imageapp", Issuer: "ImageApp", Now: c.now,
	}, c
}

var roomyRule = ratelimit.Rule{Burst: 1000, Every: time.Millisecond}

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatalf("make a code: %v", err)
	}
	return code
}

// testTwoFactorEnrolAndSignIn: enrolment gives a secret, its otpauth URL and
// a QR code as a PNG data URL, and stores the secret sealed; login asks for
// no code until a code confirms it; confirming gives ten recovery codes,
// stored only as hashes; a code is accepted once (the confirming one too),
// the next step's code works; a recovery code works once, however it is
// typed; enrolling again while on is refused.
func testTwoFactorEnrolAndSignIn(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	svc, clock := e.twoFactor(roomyRule)

	en, err := svc.Enrol(e.ctx, alice)
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	if !strings.HasPrefix(en.URL, "otpauth://totp/ImageApp:alice?") || !strings.Contains(en.URL, "secret="+en.Secret) {
		t.Errorf("otpauth URL = %q; want the issuer, the account and the secret", en.URL)
	}
	qr, ok := strings.CutPrefix(en.QR, "data:image/png;base64,")
	raw, decErr := base64.StdEncoding.DecodeString(qr)
	if !ok || decErr != nil {
		t.Fatalf("QR = %.40q…; want a PNG data URL", en.QR)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(raw)); err != nil {
		t.Errorf("QR code is not a PNG: %v", err)
	}
	stored, err := e.TwoFactor.TwoFactor(e.ctx, alice.ID)
	if err != nil {
		t.Fatalf("stored enrolment: %v", err)
	}
	if len(stored.SealedSecret) == 0 || bytes.Contains(stored.SealedSecret, []byte(en.Secret)) || stored.Confirmed {
		t.Errorf("stored enrolment = %+v; want the secret sealed, unconfirmed", stored)
	}
	if on, err := svc.Enabled(e.ctx, alice); err != nil || on {
		t.Errorf("enabled before confirming = %v, %v; want false", on, err)
	}
	wantCode(t, "verify before confirming", svc.Verify(e.ctx, alice, totpCode(t, en.Secret, clock.now())), imageapp.ENOTFOUND)

	_, err = svc.Confirm(e.ctx, alice, "000000")
	if totpCode(t, en.Secret, clock.now()) != "000000" {
		wantCode(t, "confirm with a wrong code", err, imageapp.EUNAUTHORIZED)
	}
	first := totpCode(t, en.Secret, clock.now())
	recovery, err := svc.Confirm(e.ctx, alice, first)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if len(recovery) != twofactor.RecoveryCodes {
		t.Fatalf("%d recovery codes; want %d", len(recovery), twofactor.RecoveryCodes)
	}
	stored, err = e.TwoFactor.TwoFactor(e.ctx, alice.ID)
	if err != nil {
		t.Fatalf("stored enrolment: %v", err)
	}
	if !stored.Confirmed || len(stored.RecoveryHashes) != twofactor.RecoveryCodes {
		t.Errorf("stored after confirming: confirmed %v, %d hashes; want true, %d", stored.Confirmed, len(stored.RecoveryHashes), twofactor.RecoveryCodes)
	}
	for _, h := range stored.RecoveryHashes {
		for _, c := range recovery {
			if strings.Contains(h, c) || strings.Contains(h, strings.ReplaceAll(c, "-", "")) {
				t.Errorf("a recovery code is stored as typed: %q", h)
			}
		}
	}
	if on, err := svc.Enabled(e.ctx, alice); err != nil || !on {
		t.Errorf("enabled after confirming = %v, %v; want true", on, err)
	}

	wantCode(t, "the confirming code again", svc.Verify(e.ctx, alice, first), imageapp.EUNAUTHORIZED)
	clock.advance(30 * time.Second)
	next := totpCode(t, en.Secret, clock.now())
	if err := svc.Verify(e.ctx, alice, next); err != nil {
		t.Errorf("the next step's code: %v", err)
	}
	wantCode(t, "the same code twice", svc.Verify(e.ctx, alice, next), imageapp.EUNAUTHORIZED)
	wantCode(t, "a code of an earlier step", svc.Verify(e.ctx, alice, first), imageapp.EUNAUTHORIZED)
	clock.advance(5 * time.Minute)
	wantCode(t, "a code from five minutes ago", svc.Verify(e.ctx, alice, totpCode(t, en.Secret, clock.now().Add(-5*time.Minute))), imageapp.EUNAUTHORIZED)

	typed := strings.ToUpper(strings.ReplaceAll(recovery[3], "-", " "))
	if err := svc.Verify(e.ctx, alice, typed); err != nil {
		t.Errorf("a recovery code typed in capitals with spaces: %v", err)
	}
	wantCode(t, "a recovery code twice", svc.Verify(e.ctx, alice, recovery[3]), imageapp.EUNAUTHORIZED)
	wantCode(t, "a made-up recovery code", svc.Verify(e.ctx, alice, "aaaa-bbbb-cccc-dddd"), imageapp.EUNAUTHORIZED)
	if err := svc.Verify(e.ctx, alice, recovery[4]); err != nil {
		t.Errorf("another recovery code: %v", err)
	}

	_, err = svc.Enrol(e.ctx, alice)
	wantCode(t, "enrol while on", err, imageapp.ECONFLICT)
	if err := svc.Verify(e.ctx, alice, totpCode(t, en.Secret, clock.now())); err != nil {
		t.Errorf("a refused enrolment changed the secret: %v", err)
	}
	bob := e.user(t, "bob")
	wantCode(t, "alice's recovery code for bob", svc.Verify(e.ctx, bob, recovery[5]), imageapp.ENOTFOUND)
}

// testTwoFactorCodeIsUsedOnce: instances given the same code at once accept
// it once; the store itself refuses a step, or a recovery code, used
// already.
func testTwoFactorCodeIsUsedOnce(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	svc, clock := e.twoFactor(roomyRule)
	secret := e.twoFactorOn(t, svc, clock, alice)
	clock.advance(30 * time.Second)
	code := totpCode(t, secret, clock.now())
	const tries = 6
	errs := make(chan error, tries)
	for range tries {
		go func() { errs <- svc.Verify(e.ctx, alice, code) }()
	}
	accepted := 0
	for range tries {
		err := <-errs
		if err == nil {
			accepted++
			continue
		}
		wantCode(t, "a racing replay", err, imageapp.EUNAUTHORIZED)
	}
	if accepted != 1 {
		t.Errorf("one code given %d times at once was accepted %d times; want once", tries, accepted)
	}

	// The store decides alone, as two instances that both read the old
	// LastStep would have it decide.
	tf, err := e.TwoFactor.TwoFactor(e.ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	next := tf.LastStep + 1
	if err := e.TwoFactor.UseTwoFactorStep(e.ctx, alice.ID, next); err != nil {
		t.Fatalf("use step %d: %v", next, err)
	}
	wantCode(t, "the same step again", e.TwoFactor.UseTwoFactorStep(e.ctx, alice.ID, next), imageapp.ECONFLICT)
	wantCode(t, "an earlier step", e.TwoFactor.UseTwoFactorStep(e.ctx, alice.ID, next-1), imageapp.ECONFLICT)
	wantCode(t, "a step of someone not enrolled", e.TwoFactor.UseTwoFactorStep(e.ctx, "nobody", next+1), imageapp.ENOTFOUND)
	hash := tf.RecoveryHashes[0]
	if err := e.TwoFactor.UseRecoveryCode(e.ctx, alice.ID, hash); err != nil {
		t.Fatalf("use a recovery code: %v", err)
	}
	wantCode(t, "the same recovery code again", e.TwoFactor.UseRecoveryCode(e.ctx, alice.ID, hash), imageapp.ENOTFOUND)
}

// testTwoFactorOffNeedsPasswordAndCode: turning it off needs the password and
// a code; wrong ones leave it on.
func testTwoFactorOffNeedsPasswordAndCode(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	svc, clock := e.twoFactor(roomyRule)
	secret := e.twoFactorOn(t, svc, clock, alice)
	clock.advance(30 * time.Second)

	wantCode(t, "off with a wrong password", svc.Disable(e.ctx, asker, alice, "not the password", totpCode(t, secret, clock.now())), imageapp.EUNAUTHORIZED)
	wantCode(t, "off with a wrong code", svc.Disable(e.ctx, asker, alice, password, "aaaa-bbbb-cccc-dddd"), imageapp.EUNAUTHORIZED)
	if on, err := svc.Enabled(e.ctx, alice); err != nil || !on {
		t.Fatalf("enabled after refused attempts = %v, %v; want true", on, err)
	}
	if err := svc.Disable(e.ctx, asker, alice, password, totpCode(t, secret, clock.now())); err != nil {
		t.Fatalf("off: %v", err)
	}
	if on, err := svc.Enabled(e.ctx, alice); err != nil || on {
		t.Errorf("enabled after turning off = %v, %v; want false", on, err)
	}
	if _, err := e.TwoFactor.TwoFactor(e.ctx, alice.ID); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("enrolment after turning off: %v; want it gone", err)
	}
	if _, err := svc.Enrol(e.ctx, alice); err != nil {
		t.Errorf("enrol again after turning off: %v", err)
	}
}

// testTwoFactorTriesAreLimited: past the per-user budget even the right
// code is refused (ERATELIMITED), as a password is at login.
func testTwoFactorTriesAreLimited(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	rule := ratelimit.Rule{Burst: 4, Every: time.Hour}
	svc, clock := e.twoFactor(rule)
	secret := e.twoFactorOn(t, svc, clock, alice) // Confirm takes one
	clock.advance(30 * time.Second)
	for range rule.Burst - 1 {
		wantCode(t, "a wrong code", svc.Verify(e.ctx, alice, "aaaa-bbbb-cccc-dddd"), imageapp.EUNAUTHORIZED)
	}
	wantCode(t, "the right code past the limit", svc.Verify(e.ctx, alice, totpCode(t, secret, clock.now())), imageapp.ERATELIMITED)
}

// twoFactorOn enrols and confirms u and returns the secret.
func (e *env) twoFactorOn(t *testing.T, svc *twofactor.Service, clock *handClock, u imageapp.User) string {
	t.Helper()
	en, err := svc.Enrol(e.ctx, u)
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	if _, err := svc.Confirm(e.ctx, u, totpCode(t, en.Secret, clock.now())); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	return en.Secret
}

// testTwoFactorLoginWaitsForTheCode: a login whose password was right
// waits, under a token, for a code; a wrong code may be tried again with
// it a few times, then the token is gone; a right code signs the user in
// once; an expired token, or a made-up one, signs no one in.
func testTwoFactorLoginWaitsForTheCode(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	svc, clock := e.twoFactor(roomyRule)
	secret := e.twoFactorOn(t, svc, clock, alice)
	clock.advance(30 * time.Second)

	token, err := svc.StartLogin(e.ctx, alice)
	if err != nil {
		t.Fatalf("start login: %v", err)
	}
	if strings.Contains(token, alice.ID) || strings.Contains(token, "alice") {
		t.Errorf("token %q names the user", token)
	}
	_, err = svc.FinishLogin(e.ctx, token, "aaaa-bbbb-cccc-dddd")
	wantCode(t, "a wrong code", err, imageapp.EUNAUTHORIZED)
	u, err := svc.FinishLogin(e.ctx, token, totpCode(t, secret, clock.now()))
	if err != nil || u.ID != alice.ID {
		t.Fatalf("the right code after a wrong one = %q, %v; want alice", u.Username, err)
	}
	clock.advance(30 * time.Second)
	_, err = svc.FinishLogin(e.ctx, token, totpCode(t, secret, clock.now()))
	wantCode(t, "a token used already", err, imageapp.EUNAUTHORIZED)

	token, err = svc.StartLogin(e.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		_, err = svc.FinishLogin(e.ctx, token, "aaaa-bbbb-cccc-dddd")
		wantCode(t, "a wrong code", err, imageapp.EUNAUTHORIZED)
	}
	_, err = svc.FinishLogin(e.ctx, token, totpCode(t, secret, clock.now()))
	wantCode(t, "the right code after five wrong ones", err, imageapp.EUNAUTHORIZED)

	token, err = svc.StartLogin(e.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(twofactor.PendingLoginTTL + time.Second)
	_, err = svc.FinishLogin(e.ctx, token, totpCode(t, secret, clock.now()))
	wantCode(t, "an expired token", err, imageapp.EUNAUTHORIZED)
	_, err = svc.FinishLogin(e.ctx, "2fa-MADEUP", totpCode(t, secret, clock.now()))
	wantCode(t, "a made-up token", err, imageapp.EUNAUTHORIZED)
}
