package server

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go/middleware"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/aws/s3blobs"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/provision"
)

var updateIAM = flag.Bool("update-iam", false, "rewrite the code lines of terraform/iam-actions.txt from the AWS calls the flows make")

// iamActionsFile lists every IAM action each role needs, on which resource
// and for whom; .ci/infra checks that terraform/iam.tf grants exactly it.
const iamActionsFile = "terraform/iam-actions.txt"

// TestIAMGrantsMatchTheCode runs every flow of the app in AWS mode on the
// emulators with a middleware in every SDK client that turns each call
// into the IAM permissions it needs (action and resource), and compares
// the set with the "code" lines of terraform/iam-actions.txt: a call the
// file lacks would be refused in AWS, a line no call needs is a grant to
// drop. .ci/infra compares the same file with the policies in
// terraform/iam.tf, so the code, the file and the policies agree.
//
// The "app" role is the server's: its flows, lazy provisioning and the
// cookie-keys command. The "lambda" role is the trigger's: provisioning
// through the same wiring as lambda/ (the trigger itself runs under the
// Lambda emulator, out of reach of this middleware).
//
// After a change of the AWS calls: go test ./app/server -run TestIAMGrantsMatchTheCode -update-iam
// rewrites the code lines; then bring terraform/iam.tf in line (bash .ci/infra/check.sh says how).
func TestIAMGrantsMatchTheCode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rec := &grantRecorder{seen: map[grant]string{}}
	var names resourceNames
	var ahead atomic.Int64 // how far the app's clock runs ahead of the real one
	app := startAWSApp(t, ctx, "iam", func(c *Config) {
		names = resourceNames{app: c.AppName, usersTable: c.AWS.UsersTable, messagesTable: c.AWS.MessagesTable, appKey: c.AWS.AppKeyID, rootKey: c.AWS.RootKeyID, userPool: c.AWS.UserPoolID}
		c.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
		c.AWSAPIOptions = append(c.AWSAPIOptions, rec.middleware("app", &names))
		c.CookieKeysEvery = 200 * time.Millisecond // the background re-read is one of the app's calls too
		c.MaxUploadBytes = 12 << 20                // an upload over it fails after its first parts: an aborted multipart upload
	})
	ok := func(r response, status int) {
		t.Helper()
		if r.status != status {
			t.Fatalf("%s: %d %s", r.url, r.status, r.body)
		}
	}

	// Accounts: sign-up and confirmation (the trigger provisions), login,
	// the directory, password reset, logout.
	app.signUp("alice")
	bob := app.signUp("bob")
	aliceC, bobC := app.login("alice"), app.login("bob")
	ok(aliceC.get("/users?q=b"), http.StatusOK)
	ok(aliceC.get("/api/users"), http.StatusOK)
	ok(aliceC.get("/readyz"), http.StatusOK) // the load balancer's check: each table, the app key, the bucket
	ok(app.client().postForm("/forgot", url.Values{"username": {"bob"}}), http.StatusOK)

	// Messages: send small and large (multipart), list every box and page,
	// open (marks read), view, delete; a missing blob is not found.
	small := testPNG(t, 120, 90)
	id := sendAPI(t, aliceC, "bob", small)
	sendAPI(t, aliceC, "bob", imageapptest.NoisePNGOfSize(8<<20, 7)) // past one 5 MiB part: a multipart upload
	tooBig := aliceC.postMultipart("/api/messages", field("to", "bob"), file("image", "big.png", imageapptest.NoisePNGOfSize(14<<20, 3)))
	ok(tooBig, http.StatusRequestEntityTooLarge)
	app.backend.notifying.Wait()
	for _, path := range []string{"/inbox", "/api/messages", "/api/messages?status=unread", "/api/messages?status=read", "/sent", "/api/messages?box=sent", "/conversations/alice"} {
		ok(bobC.get(path), http.StatusOK)
	}
	ok(bobC.get("/messages/"+id), http.StatusOK)
	ok(bobC.get("/api/messages/"+id+"/image"), http.StatusOK)
	ok(bobC.get("/api/messages?status=read"), http.StatusOK)
	ok(bobC.delete("/api/messages/"+id), http.StatusNoContent)
	gone := sendAPI(t, aliceC, "bob", small)
	if _, err := app.clients.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(app.res.Bucket), Key: aws.String(s3blobs.Prefix + gone)}); err != nil {
		t.Fatal(err)
	}
	// What S3 answers only to a caller that may list the bucket: NoSuchKey,
	// which the adapter reports as ENOTFOUND (403 AccessDenied would be an
	// internal error). The message page then says the message is damaged.
	if _, err := app.app.Ports().Blobs.Blob(ctx, gone); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("a missing blob: %v; want ENOTFOUND", err)
	}

	// Notification mail: confirmed (the emulator confirms at once), gone
	// once unsubscribed, and confirmed again after "send it again".
	mailState := func(want imageapp.MailState) {
		t.Helper()
		r := bobC.get("/settings")
		if r.status != http.StatusOK || !strings.Contains(r.body, `data-state="`+string(want)+`"`) {
			t.Fatalf("settings page: %d, want state %s: %s", r.status, want, r.body)
		}
	}
	mailState(imageapp.MailConfirmed)
	unsubscribeEmail(t, app.clients.SNS, bob)
	mailState(imageapp.MailGone)
	ok(bobC.postForm("/settings/mail/resend", nil), http.StatusOK)
	mailState(imageapp.MailConfirmed)

	// Background work: the orphan sweep, and the cookie key ring (created at
	// start, re-read on a timer, rotated by the cookie-keys command).
	svc := app.app.Messaging()
	orphan := "00000000000000000000000000000042"
	must(t, svc.Messages.PutPending(ctx, orphan, time.Now().Add(-24*time.Hour)))
	must(t, svc.Blobs.PutBlob(ctx, orphan, strings.NewReader("orphan")))
	if n, err := svc.SweepOrphans(ctx, svc.SweepGrace()); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want the one orphan", n, err)
	}
	if _, err := svc.SweepExpired(ctx); err != nil {
		t.Fatalf("expiry sweep: %v", err)
	}
	// The sweep of previews a crash left undone (none is due here: it only reads the index).
	if _, err := svc.SweepPreviews(ctx); err != nil {
		t.Fatalf("preview sweep: %v", err)
	}
	// Expiring and view-once sends, and a view.
	sendKeep(t, aliceC, "bob", "1h", small, false)
	_, once := sendKeep(t, aliceC, "bob", "once", small, false)
	ok(bobC.postForm("/messages/"+once.Message.ID+"/view", nil), http.StatusOK)
	// Password change (by the user's own access token) and mail off.
	ok(aliceC.postJSON("/api/me/password", map[string]string{"current_password": "correct horse battery", "new_password": "correct horse battery 2"}), http.StatusNoContent)
	ok(bobC.putJSON("/api/me/privacy", map[string]bool{"notify_by_mail": false}), http.StatusOK)
	sendAPI(t, aliceC, "bob", small)
	// Email change (the user's own access token), then the notice to the
	// old address, the new one subscribed and the old one unsubscribed.
	ok(bobC.postJSON("/api/me/email", map[string]string{"new_email": "bob.new@example.com", "password": "correct horse battery"}), http.StatusAccepted)
	ok(bobC.postJSON("/api/me/email/confirm", map[string]string{"code": awstest.Code, "password": "correct horse battery"}), http.StatusOK)
	// Blocking: the blocker's set, read on every send to them.
	ok(bobC.postForm("/people/alice/block", url.Values{"back": {"/settings"}}), http.StatusOK)
	sendAPI(t, aliceC, "bob", small)
	ok(bobC.get("/settings"), http.StatusOK)
	ok(bobC.postForm("/people/alice/unblock", url.Values{"back": {"/settings"}}), http.StatusOK)
	// Message requests: bob's contacts, read on a send to him; a stranger's
	// image waits in the request-index until accepted.
	ok(bobC.putJSON("/api/me/privacy", map[string]bool{"message_requests": true}), http.StatusOK)
	app.signUp("frank")
	sendAPI(t, app.login("frank"), "bob", small)
	bobUser, err := app.app.Ports().Users.UserByUsername(ctx, "bob")
	must(t, err)
	if reqs, err := svc.Requests(ctx, bobUser); err != nil || len(reqs) != 1 {
		t.Fatalf("bob's requests: %+v, %v; want frank's", reqs, err)
	}
	if _, n, err := svc.AcceptRequests(ctx, bobUser, "frank"); err != nil || n != 1 {
		t.Fatalf("bob accepts frank: %d, %v", n, err)
	}
	// The decrypt record: written off the request path (a transaction per
	// batch), read for the settings page (BatchGetItem).
	app.app.DecryptRecords().Wait()
	if page, err := svc.DecryptRecord(ctx, bobUser, 0, nil); err != nil || len(page.Page.Entries) == 0 {
		t.Fatalf("bob's decrypt record: %d entries, %v; want his views", len(page.Page.Entries), err)
	}
	// Account deletion: key, login, directory entry, topic, messages.
	app.signUp("erin")
	ok(app.login("erin").do(jsonRequest(t, app.testApp, http.MethodDelete, "/api/me", `{"password":"correct horse battery"}`)), http.StatusNoContent)
	store, err := CookieKeyStore(ctx, app.cfg)
	must(t, err)
	rotated, err := store.Rotate(ctx)
	must(t, err)
	for deadline := time.Now().Add(30 * time.Second); app.backend.cookieKeys.Ring().Version != rotated.Version; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the app did not re-read the rotated cookie key ring")
		}
	}

	// A sign-up for a name whose unconfirmed account's code has expired
	// removes that account first (Cognito's admin APIs, which IAM
	// evaluates). Last, as it moves the app's clock past the code's life.
	gina := url.Values{"username": {"gina"}, "email": {"gina@example.com"}, "password": {"correct horse battery"}}
	ok(app.client().postForm("/signup", gina), http.StatusOK)
	ahead.Store(int64(25 * time.Hour))
	if r := app.client().postForm("/signup", gina); r.status != http.StatusOK || r.url != "/verify" {
		t.Fatalf("a sign-up for a name whose unconfirmed account expired: %d at %s: %s", r.status, r.url, r.body)
	}
	ahead.Store(0)

	// Lazy provisioning by the app (a trigger that failed), and the
	// trigger's own provisioning with the wiring of lambda/.
	if _, err := app.app.Provision()(ctx, imageapp.User{ID: "7d0c2c10-0000-4000-8000-00000000000a", Username: "carol", Email: "carol@example.com"}); err != nil {
		t.Fatalf("lazy provisioning: %v", err)
	}
	awsCfg, err := awsbackend.LoadConfig(ctx)
	must(t, err)
	awsCfg.APIOptions = append(awsCfg.APIOptions, rec.middleware("lambda", &names))
	provisionAsTrigger(t, ctx, app, awsCfg, "7d0c2c10-0000-4000-8000-00000000000b", "dave")

	// The other key mode, a KMS key per user: its own app and trigger, the
	// flows that touch user keys (provisioning, send, open, account deletion).
	var perUserNames resourceNames
	perUser := startAWSAppIn(t, ctx, "iamk", kmskeys.ModePerUserKMS, func(c *Config) {
		perUserNames = resourceNames{app: c.AppName, usersTable: c.AWS.UsersTable, messagesTable: c.AWS.MessagesTable, appKey: c.AWS.AppKeyID}
		c.AWSAPIOptions = append(c.AWSAPIOptions, rec.middleware("app", &perUserNames))
		c.CookieKeysEvery = time.Hour
	})
	perUser.signUp("gina")
	perUser.signUp("hank")
	ginaC, hankC := perUser.login("gina"), perUser.login("hank")
	kid := sendAPI(t, ginaC, "hank", small)
	perUser.backend.notifying.Wait()
	perUser.app.Messaging().Previewing.Wait()
	ok(hankC.get("/api/messages/"+kid+"/image"), http.StatusOK)
	ok(perUser.login("gina").do(jsonRequest(t, perUser.testApp, http.MethodDelete, "/api/me", `{"password":"correct horse battery"}`)), http.StatusNoContent)
	if _, err := perUser.app.Provision()(ctx, imageapp.User{ID: "7d0c2c10-0000-4000-8000-00000000000c", Username: "ivan", Email: "ivan@example.com"}); err != nil {
		t.Fatalf("lazy provisioning (per-user KMS keys): %v", err)
	}
	perUserCfg, err := awsbackend.LoadConfig(ctx)
	must(t, err)
	perUserCfg.APIOptions = append(perUserCfg.APIOptions, rec.middleware("lambda", &perUserNames))
	provisionAsTrigger(t, ctx, perUser, perUserCfg, "7d0c2c10-0000-4000-8000-00000000000d", "judy")

	got := rec.lines()
	path := filepath.Join(repoRoot(t), iamActionsFile)
	raw, err := os.ReadFile(path)
	must(t, err)
	want, others := codeLines(string(raw))
	if *updateIAM {
		must(t, os.WriteFile(path, []byte(withCodeLines(string(raw), got)), 0o644))
		t.Logf("rewrote the code lines of %s: %d permissions", iamActionsFile, len(got))
		return
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("the code needs %q (%s), which %s lacks: AWS would refuse it", g, rec.why(g), iamActionsFile)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s grants %q, which no flow of the code needs: drop it (or add the flow that needs it to this test)", iamActionsFile, w)
		}
	}
	if t.Failed() {
		t.Logf("rewrite the code lines with: go test ./app/server -run TestIAMGrantsMatchTheCode -update-iam (keeps the %d other lines)", others)
	}
}

func unsubscribeEmail(t *testing.T, client *sns.Client, u imageapp.User) {
	t.Helper()
	out, err := client.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(u.Topic)})
	must(t, err)
	for _, s := range out.Subscriptions {
		if aws.ToString(s.Protocol) == "email" && aws.ToString(s.Endpoint) == u.Email {
			_, err := client.Unsubscribe(context.Background(), &sns.UnsubscribeInput{SubscriptionArn: s.SubscriptionArn})
			must(t, err)
		}
	}
}

// provisionAsTrigger provisions a user twice (the second time as a retried
// trigger) with the wiring of lambda/, in app's key mode, over awsCfg.
func provisionAsTrigger(t *testing.T, ctx context.Context, app *awsApp, awsCfg aws.Config, id, name string) {
	t.Helper()
	deps, err := awsbackend.ProvisionDeps(awsbackend.NewClients(awsCfg), app.cfg.AWS,
		awsbackend.KeyPolicyRoles{App: app.cfg.AWS.AppRoleARN, Creator: "arn:aws:iam::111122223333:role/iam-post-confirmation"})
	must(t, err)
	trigger := provision.For(deps)
	u := imageapp.User{ID: id, Username: name, Email: name + "@example.com"}
	for range 2 {
		if _, err := trigger(ctx, u); err != nil {
			t.Fatalf("the trigger's provisioning (%s): %v", app.cfg.AWS.KeyMode, err)
		}
	}
}

// grant is one IAM permission a role needs: an action on a resource, the
// resource named by its kind (iam-actions.txt says which kinds there are).
type grant struct{ role, action, resource string }

func (g grant) String() string { return g.role + " " + g.action + " " + g.resource }

// resourceNames tell the app's resources apart.
type resourceNames struct{ app, usersTable, messagesTable, appKey, rootKey, userPool string }

type grantRecorder struct {
	mu   sync.Mutex
	seen map[grant]string // → the first call that needed it
}

func (r *grantRecorder) middleware(role string, names *resourceNames) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("RecordIAMGrants",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				call := awsmiddleware.GetServiceID(ctx) + " " + awsmiddleware.GetOperationName(ctx)
				r.mu.Lock()
				for _, p := range permissions(*names, call, in.Parameters) {
					g := grant{role, p[0], p[1]}
					if _, ok := r.seen[g]; !ok {
						r.seen[g] = call
					}
				}
				r.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}

func (r *grantRecorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for g := range r.seen {
		out = append(out, g.String())
	}
	slices.Sort(out)
	return out
}

func (r *grantRecorder) why(line string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for g, call := range r.seen {
		if g.String() == line {
			return "needed by " + call
		}
	}
	return ""
}

// permissions maps one SDK call to the IAM permissions it needs: [action,
// resource kind]. Where AWS authorizes a call by another action (multipart
// uploads as s3:PutObject) or by several (CreateKey with tags also needs
// kms:TagResource), the mapping says so. A call it does not know maps to
// "<service>:<operation> ?", which no line has: extend it then.
func permissions(n resourceNames, call string, params any) [][2]string {
	table := func(name *string) string {
		switch aws.ToString(name) {
		case n.usersTable:
			return "table/users"
		case n.messagesTable:
			return "table/messages"
		}
		return "table/?" + aws.ToString(name)
	}
	index := func(name, idx *string) string {
		if idx == nil {
			return table(name)
		}
		return table(name) + "/index/" + aws.ToString(idx)
	}
	// Writes to an item whose key no user can have (the cookie key ring)
	// are told apart: the policy grants them on that key alone.
	item := func(name *string, key map[string]ddbtypes.AttributeValue) string {
		if v, ok := key["username"].(*ddbtypes.AttributeValueMemberS); ok && strings.HasPrefix(v.Value, dynamostore.UserKeyPrefix) {
			return table(name) + ":" + dynamostore.UserKeyPrefix + "*" // the user keys (key hierarchy): granted on those keys alone
		} else if ok && (strings.HasPrefix(v.Value, "#blocks#") || strings.HasPrefix(v.Value, "#sessions#") || strings.HasPrefix(v.Value, "#contacts#") || strings.HasPrefix(v.Value, "#skeleton#") || strings.HasPrefix(v.Value, "#twofactor#")) {
			return table(name) // a user's blocks, sessions, contacts or two-factor item, or a username's skeleton: written like a user's row (UpdateItem), no key condition
		} else if ok && strings.HasPrefix(v.Value, "#") {
			return table(name) + ":" + v.Value
		}
		return table(name)
	}
	key := func(id *string) string {
		switch k := aws.ToString(id); {
		case k == n.appKey:
			return "key/app"
		case k == n.rootKey && k != "":
			return "key/root" // the key hierarchy's root key
		case strings.HasPrefix(k, "alias/") && !strings.HasPrefix(k, "alias/"+n.app+"/user/"):
			return "key/?" + k
		}
		return "key/user" // a user's key, by its ID or its alias
	}
	object := func(k *string) string {
		if strings.HasPrefix(aws.ToString(k), s3blobs.Prefix) {
			return "objects"
		}
		return "objects/?" + aws.ToString(k)
	}
	topic := func(arn *string) string {
		if strings.Contains(aws.ToString(arn), ":"+n.app+"-user-") {
			return "topic/user"
		}
		return "topic/?" + aws.ToString(arn)
	}
	pool := func(id *string) string {
		if aws.ToString(id) == n.userPool {
			return "userpool"
		}
		return "userpool/?" + aws.ToString(id)
	}
	one := func(action, resource string) [][2]string { return [][2]string{{action, resource}} }

	switch p := params.(type) {
	// Cognito's admin APIs: unlike the public ones, IAM evaluates them.
	case *cip.AdminGetUserInput:
		return one("cognito-idp:AdminGetUser", pool(p.UserPoolId))
	case *cip.AdminDeleteUserInput:
		return one("cognito-idp:AdminDeleteUser", pool(p.UserPoolId))
	// DynamoDB
	case *dynamodb.GetItemInput:
		return one("dynamodb:GetItem", table(p.TableName))
	case *dynamodb.PutItemInput:
		return one("dynamodb:PutItem", item(p.TableName, p.Item))
	case *dynamodb.UpdateItemInput:
		return one("dynamodb:UpdateItem", item(p.TableName, p.Key))
	case *dynamodb.DeleteItemInput:
		return one("dynamodb:DeleteItem", item(p.TableName, p.Key))
	case *dynamodb.QueryInput:
		return one("dynamodb:Query", index(p.TableName, p.IndexName))
	case *dynamodb.ScanInput:
		return one("dynamodb:Scan", index(p.TableName, p.IndexName))
	case *dynamodb.BatchGetItemInput:
		var out [][2]string
		for name := range p.RequestItems {
			out = append(out, [2]string{"dynamodb:BatchGetItem", table(aws.String(name))})
		}
		return out
	case *dynamodb.TransactWriteItemsInput: // authorized item by item
		var out [][2]string
		for _, w := range p.TransactItems {
			switch {
			case w.Put != nil:
				out = append(out, [2]string{"dynamodb:PutItem", item(w.Put.TableName, w.Put.Item)})
			case w.Update != nil:
				out = append(out, [2]string{"dynamodb:UpdateItem", item(w.Update.TableName, w.Update.Key)})
			case w.Delete != nil:
				out = append(out, [2]string{"dynamodb:DeleteItem", item(w.Delete.TableName, w.Delete.Key)})
			case w.ConditionCheck != nil:
				out = append(out, [2]string{"dynamodb:ConditionCheckItem", table(w.ConditionCheck.TableName)})
			}
		}
		return out

	// S3: a GetObject of a missing key answers 404 only to a caller that may
	// list the bucket (403 otherwise), and the app relies on the 404.
	case *s3.GetObjectInput:
		return [][2]string{{"s3:GetObject", object(p.Key)}, {"s3:ListBucket", "bucket"}}
	case *s3.HeadObjectInput:
		return [][2]string{{"s3:GetObject", object(p.Key)}, {"s3:ListBucket", "bucket"}}
	case *s3.PutObjectInput:
		return one("s3:PutObject", object(p.Key))
	case *s3.CreateMultipartUploadInput:
		return one("s3:PutObject", object(p.Key))
	case *s3.UploadPartInput:
		return one("s3:PutObject", object(p.Key))
	case *s3.CompleteMultipartUploadInput:
		return one("s3:PutObject", object(p.Key))
	case *s3.AbortMultipartUploadInput:
		return one("s3:AbortMultipartUpload", object(p.Key))
	case *s3.DeleteObjectInput:
		return one("s3:DeleteObject", object(p.Key))
	case *s3.ListObjectsV2Input:
		return one("s3:ListBucket", "bucket")
	case *s3.HeadBucketInput: // IAM has no HeadBucket action: it is ListBucket's
		return one("s3:ListBucket", "bucket")

	// KMS
	case *kms.CreateKeyInput:
		out := one("kms:CreateKey", "*")
		if len(p.Tags) > 0 {
			out = append(out, [2]string{"kms:TagResource", "key/user"})
		}
		return out
	case *kms.CreateAliasInput:
		alias := "alias/user"
		if !strings.HasPrefix(aws.ToString(p.AliasName), "alias/"+n.app+"/user/") {
			alias = "alias/?" + aws.ToString(p.AliasName)
		}
		return [][2]string{{"kms:CreateAlias", alias}, {"kms:CreateAlias", key(p.TargetKeyId)}}
	case *kms.DescribeKeyInput:
		return one("kms:DescribeKey", key(p.KeyId))
	case *kms.GenerateDataKeyInput:
		return one("kms:GenerateDataKey", key(p.KeyId))
	case *kms.DecryptInput:
		return one("kms:Decrypt", key(p.KeyId))
	case *kms.EncryptInput:
		return one("kms:Encrypt", key(p.KeyId))
	case *kms.ScheduleKeyDeletionInput:
		if aws.ToInt32(p.PendingWindowInDays) == kmskeys.DeletedAccountPendingDays {
			return one("kms:ScheduleKeyDeletion", key(p.KeyId)) // a deleted account's key: IAM grants it, for that window only
		}
		return nil // the lost key of an alias race: the key policy allows it (kmskeys.KeyPolicy), no IAM grant does

	// SNS
	case *sns.CreateTopicInput:
		t := "topic/user"
		if !strings.HasPrefix(aws.ToString(p.Name), n.app+"-user-") {
			t = "topic/?" + aws.ToString(p.Name)
		}
		out := one("sns:CreateTopic", t)
		if len(p.Tags) > 0 {
			out = append(out, [2]string{"sns:TagResource", t})
		}
		return out
	case *sns.SubscribeInput:
		return one("sns:Subscribe", topic(p.TopicArn))
	case *sns.ListSubscriptionsByTopicInput:
		return one("sns:ListSubscriptionsByTopic", topic(p.TopicArn))
	case *sns.PublishInput:
		return one("sns:Publish", topic(p.TopicArn))
	case *sns.DeleteTopicInput:
		return one("sns:DeleteTopic", topic(p.TopicArn))
	case *sns.UnsubscribeInput:
		if topic(p.SubscriptionArn) == "topic/user" {
			return one("sns:Unsubscribe", "subscription/user")
		}
		return one("sns:Unsubscribe", "subscription/?"+aws.ToString(p.SubscriptionArn))
	case *sns.GetSubscriptionAttributesInput:
		if topic(p.SubscriptionArn) == "topic/user" {
			return one("sns:GetSubscriptionAttributes", "subscription/user")
		}
		return one("sns:GetSubscriptionAttributes", "subscription/?"+aws.ToString(p.SubscriptionArn))
	}
	switch call {
	case "Cognito Identity Provider SignUp", "Cognito Identity Provider ConfirmSignUp", "Cognito Identity Provider ResendConfirmationCode",
		"Cognito Identity Provider InitiateAuth", "Cognito Identity Provider ForgotPassword", "Cognito Identity Provider ConfirmForgotPassword",
		"Cognito Identity Provider DeleteUser", "Cognito Identity Provider ChangePassword", // authorized by the user's own access token
		"Cognito Identity Provider UpdateUserAttributes", "Cognito Identity Provider VerifyUserAttribute", "Cognito Identity Provider GetUser":
		return nil // public user pool APIs: IAM does not evaluate them
	}
	service, op, _ := strings.Cut(call, " ")
	return one(strings.ToLower(strings.ReplaceAll(service, " ", "-"))+":"+op, "?")
}

// codeLines returns the "role action resource" of the file's code lines,
// and how many other permission lines it has.
func codeLines(file string) (code []string, others int) {
	for _, line := range strings.Split(file, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if f[3] == "code" {
			code = append(code, strings.Join(f[:3], " "))
		} else {
			others++
		}
	}
	slices.Sort(code)
	return code, others
}

// withCodeLines replaces the file's code lines with lines, keeping the rest
// (comments, and lines of what is not the app's code) where they were: the
// new code lines go where the first old one was.
func withCodeLines(file string, lines []string) string {
	var out []string
	placed := false
	for _, line := range strings.Split(strings.TrimRight(file, "\n"), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && !strings.HasPrefix(f[0], "#") && f[3] == "code" {
			if !placed {
				for _, l := range lines {
					f := strings.Fields(l)
					out = append(out, fmt.Sprintf("%-7s %-32s %-36s code", f[0], f[1], f[2]))
				}
				placed = true
			}
			continue
		}
		out = append(out, line)
	}
	if !placed {
		for _, l := range lines {
			f := strings.Fields(l)
			out = append(out, fmt.Sprintf("%-7s %-32s %-36s code", f[0], f[1], f[2]))
		}
	}
	return strings.Join(out, "\n") + "\n"
}
