package accounts

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/local"
	"imageapp/app/provision"
)

// tester is who asks for the codes these tests send and try.
var tester = imageapp.Tool("test")

// The account service over the embedded backend: a real SQLite file and
// outbox in a temp dir.

type fixture struct {
	svc    *Service
	outbox string
}

func newService(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := local.OpenDB(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	outbox := &local.Outbox{Dir: filepath.Join(dir, "outbox")}
	users := &local.Directory{DB: db}
	keys := &local.Keyring{DB: db, MasterKey: random(t, 32)}
	notifier := &local.Notifier{Outbox: outbox, BaseURL: "http://localhost"}
	provisioner := provision.For(provision.Deps{Keys: keys, Notifier: notifier, Users: users})
	identity := &local.Identity{DB: db, Outbox: outbox, Pepper: random(t, 32), Hasher: local.NewHasher(2, time.Second),
		PostConfirm: func(ctx context.Context, u imageapp.User) error { _, err := provisioner(ctx, u); return err }}
	return &fixture{
		svc: &Service{Identity: identity, Users: users, Sessions: users, Provision: provisioner, Keys: keys, Notifier: notifier,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		outbox: outbox.Dir,
	}
}

func random(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// code is the newest code mailed to email.
func (f *fixture) code(t *testing.T, email string) string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(f.outbox, "*.eml"))
	slices.Sort(paths)
	for i := len(paths) - 1; i >= 0; i-- {
		raw, err := os.ReadFile(paths[i])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), "To: "+email+"\r\n") {
			continue
		}
		if _, code, ok := strings.Cut(string(raw), " code is "); ok {
			return code[:6]
		}
	}
	t.Fatalf("no code mailed to %s", email)
	return ""
}

const password = "correct horse battery"

// member signs name up, confirms the address and logs in.
func (f *fixture) member(t *testing.T, name string) imageapp.User {
	t.Helper()
	ctx := context.Background()
	email := name + "@example.com"
	if err := f.svc.SignUp(ctx, tester, imageapp.SignUpInput{Username: name, Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Confirm(ctx, tester, name, f.code(t, email)); err != nil {
		t.Fatal(err)
	}
	u, err := f.svc.Login(ctx, tester, name, password)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCodeAnswerTellsNobodyWhoHasAnAccount: a code that does not work gets
// the same answer for an unknown username, a confirmed account and a wrong
// code, so trying codes does not tell who has an account.
func TestCodeAnswerTellsNobodyWhoHasAnAccount(t *testing.T) {
	f := newService(t)
	ctx := context.Background()
	f.member(t, "alice")
	if err := f.svc.SignUp(ctx, tester, imageapp.SignUpInput{Username: "bob", Email: "bob@example.com", Password: password}); err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if f.code(t, "bob@example.com") == wrong {
		wrong = "111111"
	}
	want := imageapp.ErrCodeNotAccepted().Message
	for name, code := range map[string]string{"nobody": "123456", "alice": "123456", "bob": wrong} {
		err := f.svc.Confirm(ctx, tester, name, code)
		if imageapp.ErrorCode(err) != imageapp.EINVALID || imageapp.ErrorMessage(err) != want {
			t.Errorf("Confirm(%s) = %v, want the one answer %q", name, err, want)
		}
	}
}

// TestChangePasswordEndsEverySession: a changed password ends every session
// opened with the old one; the user it returns holds the new session
// version, for the device that asked to start a fresh one.
func TestChangePasswordEndsEverySession(t *testing.T) {
	f := newService(t)
	ctx := context.Background()
	u := f.member(t, "carol")
	now := time.Now()
	for _, sid := range []string{"laptop", "phone"} {
		if err := f.svc.StartSession(ctx, u, imageapp.Session{ID: sid, Device: sid, Created: now, LastSeen: now}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.ChangePassword(ctx, u, "not it at all", "a new long password"); imageapp.ErrorCode(err) != imageapp.EFORBIDDEN {
		t.Fatalf("a wrong current password: %v, want EFORBIDDEN", err)
	}
	fresh, err := f.svc.ChangePassword(ctx, u, password, "a new long password")
	if err != nil {
		t.Fatal(err)
	}
	if fresh.SessionVersion == u.SessionVersion {
		t.Fatalf("the session version stayed %d", u.SessionVersion)
	}
	for _, sid := range []string{"laptop", "phone"} {
		if _, _, err := f.svc.ActiveSession(ctx, u.ID, u.Username, sid, u.SessionVersion); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			t.Errorf("session %s after the change: %v, want ENOTFOUND", sid, err)
		}
	}
	if _, err := f.svc.Login(ctx, tester, "carol", password); err == nil {
		t.Error("the old password still logs in")
	}
}

// TestEndOtherSessionsKeepsThisOne: "log out all other devices" ends every
// session but the one that asked.
func TestEndOtherSessionsKeepsThisOne(t *testing.T) {
	f := newService(t)
	ctx := context.Background()
	u := f.member(t, "dave")
	now := time.Now()
	for _, sid := range []string{"laptop", "phone", "tablet"} {
		if err := f.svc.StartSession(ctx, u, imageapp.Session{ID: sid, Device: sid, Created: now, LastSeen: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.EndOtherSessions(ctx, u, "phone"); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.ListSessions(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != "phone" {
		t.Fatalf("sessions left: %+v, want phone only", list)
	}
	if _, _, err := f.svc.ActiveSession(ctx, u.ID, u.Username, "laptop", u.SessionVersion); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("the laptop's session: %v, want ENOTFOUND", err)
	}
}
