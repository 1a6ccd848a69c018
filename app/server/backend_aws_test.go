package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
)

// TestAWSModeEndToEnd runs the app with IMAGEAPP_BACKEND=aws against the
// emulators, configured only through the standard AWS_* variables and the
// IMAGEAPP_* names. Sign-up and confirmation go through cognito-local, whose
// post-confirmation trigger is the real lambda/ binary under aws-lambda-rie;
// it must create the user's KMS key, SNS topic and directory row before the
// first login. Then a person sends another an image through the web handler,
// and every stored byte is checked where it lives: the wrapped data key in
// DynamoDB is KMS ciphertext bound to its message, the blob in S3 is not the
// image, and the recipient's topic publishes a notification without secrets.
func TestAWSModeEndToEnd(t *testing.T) {
	for _, mode := range []string{kmskeys.ModeHierarchy, kmskeys.ModePerUserKMS} {
		t.Run(mode, func(t *testing.T) { awsEndToEnd(t, mode) })
	}
}

func awsEndToEnd(t *testing.T, keyMode string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	prefix := map[string]string{kmskeys.ModeHierarchy: "e2e", kmskeys.ModePerUserKMS: "e2ek"}[keyMode]
	app := startAWSAppIn(t, ctx, prefix, keyMode, nil)
	a, clients, res := app.testApp, app.clients, app.res

	// Sign-up and confirmation through the forms; the trigger provisions.
	alice, bob := app.signUp("Alice"), app.signUp("bob")
	if alice.Username != "Alice" {
		t.Errorf("the trigger stored username %q; want the name as typed, Alice", alice.Username)
	}
	if keyMode == kmskeys.ModePerUserKMS {
		assertUserKey(t, clients.KMS, bob)
	} else {
		assertWrappedUserKey(t, clients, res, bob)
	}
	assertUserTopic(t, clients.SNS, bob)
	notes := awstest.SubscribeHTTP(t, clients.SNS, bob.Topic)

	img := testPNG(t, 300, 200)
	r := app.login("alice").postMultipart("/api/messages", field("to", "bob"), field("caption", "secret caption"), file("image", "cat.png", img))
	if r.status != http.StatusCreated {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	var sent struct {
		Message struct{ ID string } `json:"message"`
	}
	if err := json.Unmarshal([]byte(r.body), &sent); err != nil || sent.Message.ID == "" {
		t.Fatalf("send answered %s", r.body)
	}
	id := sent.Message.ID

	note := notes.Next(t)
	if note.Subject != "New image from Alice" || !strings.Contains(note.Message, "/messages/"+id) {
		t.Errorf("notification %q / %q; want the sender and a link to the message", note.Subject, note.Message)
	}
	if strings.Contains(note.Message, "secret caption") || strings.Contains(note.Message, "cat.png") {
		t.Errorf("the notification carries the caption or file name: %q", note.Message)
	}

	item := assertStoredMessage(t, clients, res, id, alice, bob, img)
	if keyMode == kmskeys.ModePerUserKMS {
		assertDataKeyIsKMSCiphertext(t, clients.KMS, item, id, alice, bob)
	} else {
		assertDataKeyOpensUnderTheUserKey(t, clients, res, item, id, alice, bob)
	}
	if entries, _ := os.ReadDir(a.dir); len(entries) != 0 {
		t.Errorf("the data dir holds %v; in AWS mode nothing lives on the instance's disk (the cookie keys are in DynamoDB)", entries)
	}

	bobC := app.login("bob")
	r = bobC.get("/api/messages?box=inbox")
	if r.status != http.StatusOK || !strings.Contains(r.body, id) {
		t.Fatalf("bob's inbox: %d %s", r.status, r.body)
	}
	r = bobC.get("/api/messages/" + id)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"caption":"secret caption"`) {
		t.Errorf("bob opens the message: %d %s", r.status, r.body)
	}
	r = bobC.get("/api/messages/" + id + "/image")
	if r.status != http.StatusOK || r.body != string(img) || r.header.Get("Content-Type") != "image/png" {
		t.Errorf("bob's image: %d, %s, %d bytes; want the %d bytes sent", r.status, r.header.Get("Content-Type"), len(r.body), len(img))
	}
	if r := app.login("alice").get("/api/messages/" + id + "/image"); r.status != http.StatusOK {
		t.Errorf("the sender opens the image: %d", r.status)
	}

	// Logging out ends every copy of the session: the version lives in DynamoDB.
	thief := a.client()
	bobC.copyCookies(thief)
	if r := bobC.postForm("/logout", nil); r.status != http.StatusOK {
		t.Fatalf("logout: %d", r.status)
	}
	if r := thief.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Errorf("a cookie copied before logout still works in AWS mode: %d", r.status)
	}

	// Nothing secret in the log of all that: passwords, codes, cookies, the
	// app client's secret, the caption.
	logs := a.logText()
	if !strings.Contains(logs, "message sent") {
		t.Fatalf("too little was logged to judge: %q", logs)
	}
	secrets := map[string]string{"password": "correct horse battery", "code": awstest.Code,
		"client secret": res.ClientSecret, "caption": "secret caption"}
	for i, c := range thief.cookies() {
		secrets[fmt.Sprintf("session cookie %d", i)] = c.Value
	}
	for name, v := range secrets {
		if v != "" && strings.Contains(logs, v) {
			t.Errorf("the log holds the %s", name)
		}
	}
}

// awsApp is the app in AWS mode (IMAGEAPP_BACKEND=aws) over a fresh set of
// every emulator, configured only through the standard AWS_* variables and
// the IMAGEAPP_* names, with the real lambda/ as Cognito's trigger.
type awsApp struct {
	*testApp
	cfg     Config
	clients awsbackend.Clients
	res     awstest.Resources
}

// signUp signs name up and confirms through the forms, and checks that the
// trigger provisioned the user before any login.
func (a *awsApp) signUp(name string) imageapp.User {
	t := a.t
	c := a.client()
	r := c.postForm("/signup", url.Values{"username": {name}, "email": {name + "@example.com"}, "password": {"correct horse battery"}})
	if r.status != http.StatusOK || r.url != "/verify" {
		t.Fatalf("sign-up %s: %d at %s: %s", name, r.status, r.url, r.body)
	}
	r = c.postForm("/verify", url.Values{"username": {name}, "code": {awstest.Code}})
	if r.status != http.StatusOK || r.url != "/inbox" { // the browser that signed up is signed in
		t.Fatalf("verify %s: %d at %s: %s", name, r.status, r.url, r.body)
	}
	u, err := a.backend.Users.UserByUsername(context.Background(), name)
	if err != nil || !u.Provisioned() {
		t.Fatalf("after confirmation, before any login, %s's directory row is %+v (%v): the trigger did not provision", name, u, err)
	}
	return u
}

// login logs name in through the form.
func (a *awsApp) login(name string) *client {
	c := a.client()
	r := c.postForm("/login", url.Values{"username": {name}, "password": {"correct horse battery"}})
	if r.status != http.StatusOK || r.url != "/inbox" {
		a.t.Fatalf("login %s: %d at %s: %s", name, r.status, r.url, r.body)
	}
	return c
}

func startAWSApp(t *testing.T, ctx context.Context, prefix string, tweak func(*Config)) *awsApp {
	t.Helper()
	return startAWSAppIn(t, ctx, prefix, kmskeys.ModeHierarchy, tweak)
}

// startAWSAppIn is startAWSApp with the app and its trigger in keyMode.
func startAWSAppIn(t *testing.T, ctx context.Context, prefix, keyMode string, tweak func(*Config)) *awsApp {
	t.Helper()
	// awstest.CreateResources names tables <prefix>-users, …
	bootstrap, err := awstest.BuildLambda(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	stack, err := awstest.Start(ctx, awstest.Options{
		Services:     awstest.All(),
		LambdaBinary: bootstrap,
		LambdaEnv: []string{"IMAGEAPP_USERS_TABLE=" + prefix + "-users", "IMAGEAPP_APP_NAME=imageapp",
			"IMAGEAPP_KEY_MODE=" + keyMode, "IMAGEAPP_ROOT_KEY_ID=" + awstest.RootKeyAlias(prefix), // as in terraform/lambda.tf
			// As in terraform/lambda.tf: new user keys get the key policy (local-kms keeps, not enforces, it).
			"IMAGEAPP_APP_ROLE_ARN=arn:aws:iam::111122223333:role/" + prefix + "-app",
			"IMAGEAPP_TRIGGER_ROLE_ARN=arn:aws:iam::111122223333:role/" + prefix + "-post-confirmation"},
	})
	if err != nil {
		t.Fatalf("the emulators did not start: %v", err)
	}
	t.Cleanup(stack.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("emulator logs:\n%s", stack.Logs())
		}
	})
	for k, v := range stack.EnvVars() {
		t.Setenv(k, v)
	}
	awsCfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clients := awsbackend.NewClients(awsCfg)
	res, err := awstest.CreateResources(ctx, clients, stack, prefix)
	if err != nil {
		t.Fatal(err)
	}
	res.KeyMode = keyMode

	// Plain HTTP on loopback: the emulators are a dev stack.
	env := map[string]string{"IMAGEAPP_BACKEND": "aws", "IMAGEAPP_DATA_DIR": t.TempDir(), "IMAGEAPP_ALLOW_INSECURE_HTTP": "1"}
	for k, v := range res.Env() {
		env[k] = v
	}
	cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReactDir = ""
	if tweak != nil {
		tweak(&cfg)
	}
	logs := &lockedWriter{w: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(logs, nil))
	app, err := Open(ctx, cfg, log)
	if err != nil {
		t.Fatalf("open the AWS backend: %v", err)
	}
	a := &testApp{t: t, dir: cfg.DataDir, cfg: cfg, app: app, backend: app.backend, logs: logs, server: httptest.NewServer(app.Handler())}
	t.Cleanup(a.stop)
	return &awsApp{testApp: a, cfg: cfg, clients: clients, res: res}
}

func assertUserKey(t *testing.T, client *kms.Client, u imageapp.User) {
	t.Helper()
	out, err := client.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("alias/imageapp/user/" + u.ID)})
	if err != nil || aws.ToString(out.KeyMetadata.KeyId) != u.KeyID {
		t.Errorf("the alias of %s's key: %v; want it to name key %s", u.Username, err, u.KeyID)
	}
}

func assertUserTopic(t *testing.T, client *sns.Client, u imageapp.User) {
	t.Helper()
	if !strings.HasSuffix(u.Topic, ":imageapp-user-"+u.ID) {
		t.Errorf("%s's topic is %q; want imageapp-user-<sub>", u.Username, u.Topic)
	}
	subs, err := client.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(u.Topic)})
	if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Endpoint) != u.Email {
		t.Errorf("%s's topic subscriptions: %+v, %v; want their email", u.Username, subs, err)
	}
}

// assertStoredMessage reads the message's row in DynamoDB and its blob in
// S3 directly, and returns the row.
func assertStoredMessage(t *testing.T, c awsbackend.Clients, res awstest.Resources, id string, from, to imageapp.User, img []byte) map[string]ddbtypes.AttributeValue {
	t.Helper()
	ctx := context.Background()
	out, err := c.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(res.MessagesTable),
		Key: map[string]ddbtypes.AttributeValue{"message_id": &ddbtypes.AttributeValueMemberS{Value: id}}})
	if err != nil || out.Item == nil {
		t.Fatalf("no row for message %s in %s: %v", id, res.MessagesTable, err)
	}
	str := func(k string) string {
		v, _ := out.Item[k].(*ddbtypes.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	if str("sender_id") != from.ID || str("recipient_id") != to.ID || str("key_id") != to.KeyID ||
		str("unread_recipient_id") != to.ID {
		t.Errorf("row %v; want alice → bob under bob's key, unread", out.Item)
	}
	obj, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(res.Bucket), Key: aws.String("messages/" + id)})
	if err != nil {
		t.Fatalf("no blob messages/%s in bucket %s: %v", id, res.Bucket, err)
	}
	defer obj.Body.Close()
	var blob bytes.Buffer
	blob.ReadFrom(obj.Body)
	if blob.Len() <= len(img) || bytes.Contains(blob.Bytes(), img[:32]) {
		t.Errorf("the blob (%d bytes) is not the image's ciphertext (%d bytes of plaintext)", blob.Len(), len(img))
	}
	return out.Item
}

// assertDataKeyIsKMSCiphertext decrypts the stored data key with KMS
// itself: it opens under the message's encryption context and under no other.
func assertDataKeyIsKMSCiphertext(t *testing.T, client *kms.Client, item map[string]ddbtypes.AttributeValue, id string, from, to imageapp.User) {
	t.Helper()
	ctx := context.Background()
	wrapped, ok := item["wrapped_key"].(*ddbtypes.AttributeValueMemberB)
	if !ok || len(wrapped.Value) < 32 {
		t.Fatalf("wrapped_key is %T", item["wrapped_key"])
	}
	right := map[string]string{"app": "imageapp", "message_id": id, "sender_id": from.ID, "recipient_id": to.ID}
	out, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wrapped.Value, EncryptionContext: right})
	if err != nil || len(out.Plaintext) != 32 || aws.ToString(out.KeyId) == "" || !strings.Contains(aws.ToString(out.KeyId), to.KeyID) {
		t.Fatalf("KMS decrypts the stored data key under its context: %v (key %v); want a 32-byte key of bob's key", err, out)
	}
	for name, wrong := range map[string]map[string]string{
		"another message":   {"app": "imageapp", "message_id": "0000", "sender_id": from.ID, "recipient_id": to.ID},
		"swapped roles":     {"app": "imageapp", "message_id": id, "sender_id": to.ID, "recipient_id": from.ID},
		"no context at all": nil,
	} {
		_, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wrapped.Value, EncryptionContext: wrong})
		var invalid *kmstypes.InvalidCiphertextException
		if !errors.As(err, &invalid) {
			t.Errorf("KMS decrypts the data key with the context of %s: %v; want InvalidCiphertextException", name, err)
		}
	}
}
