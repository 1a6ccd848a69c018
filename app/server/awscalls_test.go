package server

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"imageapp/app/aws/kmskeys"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

// awsCalls counts the AWS operations the app calls, by service and
// operation, with a middleware in every SDK client. It counts operations, not
// HTTP attempts: a retry is the SDK's business, a call is the app's.
type awsCalls struct {
	mu sync.Mutex
	n  map[string]int // "KMS Decrypt" → calls
}

func (c *awsCalls) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("CountAWSCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.n[awsmiddleware.GetServiceID(ctx)+" "+awsmiddleware.GetOperationName(ctx)]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// during counts the calls fn makes.
func (c *awsCalls) during(fn func()) map[string]int {
	c.mu.Lock()
	c.n = map[string]int{}
	c.mu.Unlock()
	fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	calls := c.n
	c.n = map[string]int{} // what runs between measures counts nowhere
	return calls
}

// of sums the calls to one service, or to one "Service Operation".
func of(calls map[string]int, what string) int {
	n := 0
	for k, v := range calls {
		if k == what || strings.HasPrefix(k, what+" ") {
			n += v
		}
	}
	return n
}

// TestAWSCallsPerOperation counts the calls to KMS, S3, DynamoDB and SNS of
// one send, one view and one inbox page, through the web handler in AWS mode
// on the emulators, with a small and with a large inbox. Targets: one
// GenerateDataKey per send, one Decrypt per view, and nothing that grows
// with the inbox. It writes the table to .cache/artifacts/aws-calls.md (the
// bench README, app/cmd/bench/README.md, shows it).
//
// KMS calls differ by key mode. Per-user KMS keys: one GenerateDataKey per
// send (and per user's thumbnail key), one Decrypt per view or open. The key
// hierarchy: none while the user keys are in the instance's cache
// (kmskeys.UserKeyCacheTTL), one Decrypt per user key that is not.
func TestAWSCallsPerOperation(t *testing.T) {
	for _, mode := range []string{kmskeys.ModeHierarchy, kmskeys.ModePerUserKMS} {
		t.Run(mode, func(t *testing.T) { awsCallsPerOperation(t, mode) })
	}
}

// kmsCalls are the KMS calls one mode makes per operation.
type kmsCalls struct{ firstGenerate, firstDecrypt, sendGenerate, viewDecrypt int }

var kmsCallsOf = map[string]kmsCalls{
	// The user keys of the two new users, made by the trigger, are unwrapped
	// once on this instance at their first send; later calls hit the cache.
	kmskeys.ModeHierarchy: {firstGenerate: 0, firstDecrypt: 2, sendGenerate: 0, viewDecrypt: 0},
	// A user's first image also makes their thumbnail key (GenerateDataKey
	// under their KMS key, kept wrapped in their directory item): once per
	// user, so the first send of two new users makes two more.
	kmskeys.ModePerUserKMS: {firstGenerate: 3, firstDecrypt: 0, sendGenerate: 1, viewDecrypt: 1},
}

func awsCallsPerOperation(t *testing.T, keyMode string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	counter := &awsCalls{n: map[string]int{}}
	kc := kmsCallsOf[keyMode]
	prefix := map[string]string{kmskeys.ModeHierarchy: "calls", kmskeys.ModePerUserKMS: "callsk"}[keyMode]
	app := startAWSAppIn(t, ctx, prefix, keyMode, func(c *Config) {
		c.AWSAPIOptions = append(c.AWSAPIOptions, counter.middleware)
		c.CookieKeysEvery = time.Hour // a background re-read of the cookie keys must not land in an operation's count
	})
	alice := app.signUp("alice")
	app.signUp("bob")
	aliceC, bobC := app.login("alice"), app.login("bob")

	type row struct {
		op    string
		calls map[string]int
	}
	var rows []row
	measure := func(op string, fn func()) map[string]int {
		calls := counter.during(func() {
			fn()
			app.backend.notifying.Wait()          // the notification is part of the send
			app.app.Messaging().Previewing.Wait() // and so is its preview, made after the answer
			app.app.DecryptRecords().Wait()       // and the decrypt record's write, off the request path
		})
		rows = append(rows, row{op, calls})
		return calls
	}
	want := func(op string, calls map[string]int, what string, n int) {
		t.Helper()
		if got := of(calls, what); got != n {
			t.Errorf("%s: %d × %s, want %d (all calls: %v)", op, got, what, n, calls)
		}
	}
	ok := func(r response, status int) {
		t.Helper()
		if r.status != status {
			t.Fatalf("%s: %d %s", r.url, r.status, r.body)
		}
	}

	small := testPNG(t, 180, 180) // ~100 KiB
	large := imageapptest.NoisePNGOfSize(8<<20, 7)
	var id string
	first := measure(fmt.Sprintf("first send of two new users, %d KiB", len(small)>>10), func() { sendAPI(t, aliceC, "bob", small) })
	want("first send", first, "KMS GenerateDataKey", kc.firstGenerate)
	want("first send", first, "KMS Decrypt", kc.firstDecrypt)
	want("first send", first, "SNS Publish", 1) // bob's first mail goes at once
	send := measure(fmt.Sprintf("send %d KiB (`POST /api/messages`)", len(small)>>10), func() { id = sendAPI(t, aliceC, "bob", small) })
	want("send", send, "KMS GenerateDataKey", kc.sendGenerate)
	want("send", send, "KMS Decrypt", 0)
	want("send", send, "S3 PutObject", 1)
	want("send", send, "SNS Publish", 0)      // within the mail window: it joins bob's digest (one read, one write)
	want("send", send, "DynamoDB PutItem", 2) // the pending marker, then the message over it
	// The preview, after the answer: the blob read back with the send's own
	// data key (no KMS call), the sealed previews written to the row.
	want("send", send, "S3 GetObject", 1)
	want("send", send, "DynamoDB UpdateItem", 4) // the sender's contacts, the recipient's stored bytes, the previews, the mail digest
	sendLarge := measure(fmt.Sprintf("send %.0f MiB (`POST /api/messages`)", float64(len(large))/(1<<20)), func() { sendAPI(t, aliceC, "bob", large) })
	want("send, large", sendLarge, "KMS GenerateDataKey", kc.sendGenerate)
	want("send, large", sendLarge, "S3 UploadPart", 2) // 5 MiB parts: the only count that grows, with the image
	view := measure("view (`GET /api/messages/{id}/image`)", func() { ok(bobC.get("/api/messages/"+id+"/image"), http.StatusOK) })
	want("view", view, "KMS Decrypt", kc.viewDecrypt)
	want("view", view, "S3 GetObject", 1)
	want("view", view, "SNS", 0)
	open := measure("open page (`GET /messages/{id}`, marks read)", func() { ok(bobC.get("/messages/"+id), http.StatusOK) })
	want("open", open, "KMS Decrypt", kc.viewDecrypt)
	want("open", open, "DynamoDB UpdateItem", 1)

	pages := []struct{ op, path string }{
		{"inbox page (`GET /inbox`)", "/inbox"},
		{"inbox page, htmx refresh", "/inbox"},
		{"inbox page (`GET /api/messages`)", "/api/messages"},
		{"unread page (`GET /api/messages?status=unread`)", "/api/messages?status=unread"},
	}
	inboxCalls := func(size string) []map[string]int {
		var out []map[string]int
		for _, p := range pages {
			out = append(out, measure(fmt.Sprintf("%s, %s", p.op, size), func() {
				req, _ := http.NewRequest(http.MethodGet, app.server.URL+p.path, nil)
				if strings.Contains(p.op, "htmx") {
					req.Header.Set("HX-Request", "true")
				}
				ok(bobC.do(req), http.StatusOK)
			}))
		}
		return out
	}
	few := inboxCalls("2 messages")

	// A large inbox: unread on top of read ones, past every page size and the
	// point where unread counts stop. Seeded through the service, uncounted.
	svc := app.app.Messaging()
	const read, unread = 60, imageapp.MaxUnreadCount + 50
	tiny := testPNG(t, 4, 4)
	seed := func(n int) []string {
		ids := make([]string, n)
		for i := range ids {
			m, err := svc.Send(ctx, alice, messaging.SendInput{To: "bob", Body: strings.NewReader(string(tiny))})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = m.ID
		}
		return ids
	}
	bob, err := app.backend.Users.UserByUsername(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range seed(read) {
		if _, err := svc.Open(ctx, bob, id); err != nil {
			t.Fatal(err)
		}
	}
	seed(unread)
	app.backend.notifying.Wait()
	app.app.Messaging().Previewing.Wait()
	app.app.DecryptRecords().Wait()
	many := inboxCalls(fmt.Sprintf("%d messages (%d unread)", read+unread+2, unread))
	for i, p := range pages {
		if !maps.Equal(few[i], many[i]) {
			t.Errorf("%s: %v with 2 messages but %v with %d: calls grow with the inbox", p.op, few[i], many[i], read+unread+2)
		}
		want(p.op, many[i], "KMS", 0)
		want(p.op, many[i], "S3", 0)
	}

	// The table, one row per operation, one column per service.
	services := []string{"KMS", "S3", "DynamoDB", "SNS"}
	var b strings.Builder
	b.WriteString("| operation | " + strings.Join(services, " | ") + " |\n|---|" + strings.Repeat("---|", len(services)) + "\n")
	for _, r := range rows {
		cells := []string{r.op}
		for _, s := range services {
			var ops []string
			for k, v := range r.calls {
				if name, found := strings.CutPrefix(k, s+" "); found {
					ops = append(ops, fmt.Sprintf("%s ×%d", name, v))
				}
			}
			slices.Sort(ops)
			if len(ops) == 0 {
				ops = []string{"—"}
			}
			cells = append(cells, strings.Join(ops, ", "))
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	t.Logf("AWS calls per operation (emulators, key mode %s):\n%s", keyMode, b.String())
	root, err := awstest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, ".cache", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := "aws-calls.md" // the default key mode's
	if keyMode != kmskeys.ModeHierarchy {
		file = "aws-calls-" + keyMode + ".md"
	}
	if err := os.WriteFile(filepath.Join(dir, file), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
