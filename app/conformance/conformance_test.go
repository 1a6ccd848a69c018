package conformance_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/awstest"
	"imageapp/app/conformance"
	"imageapp/app/imageapp"
	"imageapp/app/local"
	"imageapp/app/provision"
)

var stack *awstest.Stack

// TestMain runs the emulators of every service the AWS backend uses. The
// post-confirmation Lambda is not among them: here provisioning happens
// lazily, as the app does at login when the trigger has not run (the
// end-to-end test in package main covers the trigger).
func TestMain(m *testing.M) {
	os.Exit(awstest.RunMain(m, awstest.Options{
		Services: []awstest.Service{awstest.KMS, awstest.S3, awstest.DynamoDB, awstest.SNS, awstest.Cognito},
	}, &stack))
}

func TestLocalBackend(t *testing.T) {
	conformance.Run(t, newLocal)
}

// TestAWSBackend runs the default key mode: one root KMS key, a user key
// per user in the users table.
func TestAWSBackend(t *testing.T) {
	conformance.Run(t, awsIn(kmskeys.ModeHierarchy))
}

// TestAWSBackendPerUserKMSKeys runs the other key mode: a KMS key per user.
func TestAWSBackendPerUserKMSKeys(t *testing.T) {
	conformance.Run(t, awsIn(kmskeys.ModePerUserKMS))
}

// newLocal is the embedded backend on a SQLite file in a temp dir, wired
// as the app wires it (provisioning right after confirmation).
func newLocal(t *testing.T) *conformance.Backend {
	dir := t.TempDir()
	db, err := local.OpenDB(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	master := make([]byte, 32)
	rand.Read(master)
	outbox := &local.Outbox{Dir: filepath.Join(dir, "outbox")}
	dirUsers := &local.Directory{DB: db}
	b := &conformance.Backend{
		Ports: imageapp.Ports{
			Users:    dirUsers,
			Sessions: dirUsers,
			Messages: &local.Messages{DB: db},
			Keys:     &local.Keyring{DB: db, MasterKey: master},
			Blobs:    &local.Blobs{Dir: filepath.Join(dir, "blobs")},
			Notifier: &local.Notifier{Outbox: outbox},
			SendKeys: &local.SendKeys{DB: db},

			TwoFactor:  dirUsers,
			Passkeys:   dirUsers,
			Ceremonies: dirUsers,
			Push:       dirUsers,
			Tombstones: &local.Messages{DB: db},
		},
		Code:        outboxCode(outbox.Dir),
		Records:     &local.DecryptRecord{DB: db},
		MailDigests: &local.MailDigests{DB: db},
	}
	deps := provision.Deps{Keys: b.Keys, Notifier: b.Notifier, Users: b.Users}
	now, pass := laterClock()
	b.PassTime = pass
	b.Identity = &local.Identity{DB: db, Outbox: outbox, Pepper: master, Log: slog.New(slog.DiscardHandler), Now: now,
		PostConfirm: func(ctx context.Context, u imageapp.User) error {
			_, err := provision.User(ctx, deps, u)
			return err
		}}
	return b
}

var codePattern = regexp.MustCompile(`code is ([0-9]{6})`)

// outboxCode reads the newest code mailed to an address from the outbox's
// .eml files (their names start with the time they were written).
func outboxCode(dir string) func(t testing.TB, email string) string {
	return func(t testing.TB, email string) string {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		sort.Sort(sort.Reverse(sort.StringSlice(files)))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil || !strings.Contains(string(raw), "To: "+email+"\r\n") {
				continue
			}
			if m := codePattern.FindSubmatch(raw); m != nil {
				return string(m[1])
			}
		}
		t.Fatalf("no code mailed to %s in %s", email, dir)
		return ""
	}
}

var prefixes atomic.Int32

// awsIn is the AWS backend in keyMode on fresh resources (pool, tables,
// bucket, keys) in the running emulators, built by the same code as the app's.
func awsIn(keyMode string) func(t *testing.T) *conformance.Backend {
	return func(t *testing.T) *conformance.Backend { return newAWS(t, keyMode) }
}

func newAWS(t *testing.T, keyMode string) *conformance.Backend {
	ctx := context.Background()
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clients := awsbackend.NewClients(cfg)
	res, err := awstest.CreateResources(ctx, clients, stack, fmt.Sprintf("conf%d", prefixes.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	res.KeyMode = keyMode
	a, err := awsbackend.New(clients, res, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	now, pass := laterClock()
	a.Identity.Now, a.Users.Now = now, now
	return &conformance.Backend{
		Ports: imageapp.Ports{
			Identity: a.Identity, Users: a.Users, Sessions: a.Users, Messages: a.Messages, Keys: a.Keys, Blobs: a.Blobs, Notifier: a.Notifier,
			SendKeys: a.Messages,

			TwoFactor:  a.Users,
			Passkeys:   a.Users,
			Ceremonies: a.Messages,
			Push:       a.Users,
			Tombstones: &dynamostore.Tombstones{DB: clients.DynamoDB, Table: res.MessagesTable},
		},
		Code:        func(testing.TB, string) string { return awstest.Code }, // cognito-local runs with CODE fixed
		PassTime:    pass,
		Records:     &dynamostore.DecryptRecord{DB: clients.DynamoDB, Table: res.MessagesTable},
		MailDigests: &dynamostore.MailDigests{DB: clients.DynamoDB, Table: res.MessagesTable},
	}
}

// laterClock is the real clock, moved on by what pass adds.
func laterClock() (now func() time.Time, pass func(time.Duration)) {
	var offset atomic.Int64
	return func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
		func(d time.Duration) { offset.Add(int64(d)) }
}
