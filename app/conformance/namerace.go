package conformance

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"imageapp/app/accounts"
	"imageapp/app/imageapp"
)

// Deleting an account races nobody for its name: each step of a deletion
// that retires or removes what holds the name (retirement, key, login,
// topic, directory entry) is paused in turn (the ports are wrapped, so the window is as wide as a
// test wants, not as wide as a scheduler happens to make it) and a
// stranger's sign-up for the name, or one like it, runs in the pause.

// stepHooks wraps the ports a deletion calls and runs after once each
// returns, with the name of the call.
type stepHooks struct {
	after func(step string)
}

type hookedIdentity struct {
	imageapp.Identity
	h *stepHooks
}

func (i hookedIdentity) DeleteAccount(ctx context.Context, username, password string) error {
	err := i.Identity.DeleteAccount(ctx, username, password)
	i.h.after("Identity.DeleteAccount")
	return err
}

type hookedUsers struct {
	imageapp.Directory
	h *stepHooks
}

func (u hookedUsers) RetireUsername(ctx context.Context, user imageapp.User, until time.Time) error {
	err := u.Directory.RetireUsername(ctx, user, until)
	u.h.after("Directory.RetireUsername")
	return err
}

func (u hookedUsers) DeleteUser(ctx context.Context, user imageapp.User, until time.Time) error {
	err := u.Directory.DeleteUser(ctx, user, until)
	u.h.after("Directory.DeleteUser")
	return err
}

type hookedKeys struct {
	imageapp.Keys
	h *stepHooks
}

func (k hookedKeys) DestroyUserKey(ctx context.Context, keyID string) error {
	err := k.Keys.DestroyUserKey(ctx, keyID)
	k.h.after("Keys.DestroyUserKey")
	return err
}

type hookedNotifier struct {
	imageapp.Notifier
	h *stepHooks
}

func (n hookedNotifier) DeleteUserTopic(ctx context.Context, u imageapp.User) error {
	err := n.Notifier.DeleteUserTopic(ctx, u)
	n.h.after("Notifier.DeleteUserTopic")
	return err
}

// hookedAccounts is the account service over the wrapped ports.
func (e *env) hookedAccounts(h *stepHooks) *accounts.Service {
	svc := e.accounts()
	svc.Identity = hookedIdentity{e.Identity, h}
	svc.Users = hookedUsers{e.Users, h}
	svc.Keys = hookedKeys{e.Keys, h}
	svc.Notifier = hookedNotifier{e.Notifier, h}
	return svc
}

func testSignUpCannotTakeANameBeingDeleted(t *testing.T, e *env) {
	svc := e.accounts()
	attempt := 0
	// tryTake signs a stranger up for name and reports it if it worked.
	tryTake := func(when, name string) {
		attempt++
		email := fmt.Sprintf("mallory%d@example.com", attempt)
		err := svc.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: name, Email: email, Password: "mallory's password"})
		if imageapp.ErrorCode(err) != imageapp.ECONFLICT {
			t.Errorf("%s: a stranger's sign-up for %q: %v; want %s", when, name, err, imageapp.ECONFLICT)
		}
	}

	// A sign-up in the pause after each step of the deletion.
	bob := e.user(t, "bob")
	h := &stepHooks{after: func(step string) {
		tryTake("after "+step, "bob")
		tryTake("after "+step, "B0b.")
	}}
	if err := e.hookedAccounts(h).DeleteAccount(e.ctx, asker, bob, password); err != nil {
		t.Fatalf("delete bob: %v", err)
	}

	// A sign-up that passed the service's check of the name just before
	// the deletion began, and reaches the identity port after it ended:
	// the port's own claim refuses it. Round after round, with the name as
	// typed and with look-alikes.
	for round, name := range []string{"carol", "dan", "erin"} {
		victim := e.user(t, name)
		late := &deletionFirst{Identity: e.Identity, run: func() {
			if err := e.accounts().DeleteAccount(e.ctx, asker, victim, password); err != nil {
				t.Fatalf("round %d: delete %s: %v", round, name, err)
			}
		}}
		racing := e.accounts()
		racing.Identity = late
		for _, take := range []string{name, name + "_"} {
			late.ran = false
			err := racing.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: take, Email: fmt.Sprintf("late%d@example.com", round), Password: "mallory's password"})
			if imageapp.ErrorCode(err) != imageapp.ECONFLICT {
				t.Errorf("round %d: a sign-up for %q checked before %s's deletion and claimed after it: %v; want %s",
					round, take, name, err, imageapp.ECONFLICT)
			}
			late.run = func() {} // deleted already
		}
	}

	for _, name := range []string{"bob", "carol", "dan", "erin"} {
		_, err := e.Identity.Login(e.ctx, asker, name, "mallory's password")
		wantCode(t, "the stranger logs in as "+name, err, imageapp.EUNAUTHORIZED)
		_, err = e.Users.UserByUsername(e.ctx, name)
		wantCode(t, name+" in the directory", err, imageapp.ENOTFOUND)
	}
}

// deletionFirst is an identity port whose SignUp first runs a whole
// deletion: the widest window between the service's check and the claim.
type deletionFirst struct {
	imageapp.Identity
	run func()
	ran bool
}

func (d *deletionFirst) SignUp(ctx context.Context, who imageapp.Requester, in imageapp.SignUpInput) error {
	if !d.ran {
		d.ran = true
		d.run()
	}
	return d.Identity.SignUp(ctx, who, in)
}

var errStep = errors.New("injected failure of a deletion step")

// failingNotifier makes DeleteUserTopic fail while *fail is set: a step
// after the login's deletion.
type failingNotifier struct {
	imageapp.Notifier
	fail *bool
}

func (n failingNotifier) DeleteUserTopic(ctx context.Context, u imageapp.User) error {
	if *n.fail {
		return errStep
	}
	return n.Notifier.DeleteUserTopic(ctx, u)
}

// failingKeys makes DestroyUserKey fail while *fail is set: a step before
// the login's deletion.
type failingKeys struct {
	imageapp.Keys
	fail *bool
}

func (k failingKeys) DestroyUserKey(ctx context.Context, keyID string) error {
	if *k.fail {
		return errStep
	}
	return k.Keys.DestroyUserKey(ctx, keyID)
}

func testADeletionThatStoppedCanBeFinished(t *testing.T, e *env) {
	for _, tc := range []struct {
		name     string
		retryPwd string
		breakAt  func(svc *accounts.Service, fail *bool)
	}{
		// After the login is gone: the password logs in no more.
		{"after the login", "any text at all", func(svc *accounts.Service, fail *bool) {
			svc.Notifier = failingNotifier{e.Notifier, fail}
		}},
		// Before: the login stands, and the password is asked again.
		{"before the login", password, func(svc *accounts.Service, fail *bool) {
			svc.Keys = failingKeys{e.Keys, fail}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "frank"
			if tc.retryPwd == password {
				name = "grace"
			}
			u := e.user(t, name)
			svc := e.accounts()
			fail := true
			tc.breakAt(svc, &fail)
			if err := svc.DeleteAccount(e.ctx, asker, u, password); !errors.Is(err, errStep) {
				t.Fatalf("the deletion with a step failing: %v; want the injected failure", err)
			}
			tryName := svc.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: name, Email: "mallory@example.com", Password: "mallory's password"})
			wantCode(t, "a sign-up for the name of a half-deleted account", tryName, imageapp.ECONFLICT)

			fail = false
			if err := svc.DeleteAccount(e.ctx, asker, u, tc.retryPwd); err != nil {
				t.Fatalf("the retry of the deletion: %v", err)
			}
			_, err := e.Users.UserByUsername(e.ctx, name)
			wantCode(t, name+" in the directory after the retry", err, imageapp.ENOTFOUND)
			_, err = e.Identity.Login(e.ctx, asker, name, password)
			wantCode(t, name+" logs in after the retry", err, imageapp.EUNAUTHORIZED)
		})
	}
	// A stranger's session cannot finish a deletion nobody began.
	h := e.user(t, "heidi")
	err := e.accounts().DeleteAccount(e.ctx, asker, h, "not the password")
	wantCode(t, "a deletion with a wrong password, none begun", err, imageapp.EFORBIDDEN)
}
