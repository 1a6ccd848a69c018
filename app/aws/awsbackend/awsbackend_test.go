package awsbackend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/aws/sesnotifier"
	"imageapp/app/aws/snsnotifier"
	"imageapp/app/imageapp"
)

func names() awsbackend.Names {
	return awsbackend.Names{AppName: "imageapp", UserPoolID: "eu-west-1_Pool", ClientID: "client", UsersTable: "users",
		MessagesTable: "messages", Bucket: "bucket", RootKeyID: "alias/imageapp/root"}
}

func TestAgainstAWSTheSDKDefaultsStand(t *testing.T) {
	c := awsbackend.NewClients(aws.Config{Region: "eu-west-1"})
	if c.S3.Options().UsePathStyle {
		t.Error("path-style addressing against AWS itself")
	}
	a, err := awsbackend.New(c, names(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Identity.Tokens.Issuer, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"; got != want {
		t.Errorf("issuer = %q, want %q", got, want)
	}
	if got := a.Identity.Tokens.JWKSURL(); got != "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool/.well-known/jwks.json" {
		t.Errorf("JWKS URL = %q", got)
	}
}

func TestWithAnEndpointOverride(t *testing.T) {
	c := awsbackend.NewClients(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:9229/")})
	if !c.S3.Options().UsePathStyle {
		t.Error("an endpoint override (an emulator, MinIO) needs path-style addressing")
	}
	a, err := awsbackend.New(c, names(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Identity.Tokens.Issuer; got != "http://127.0.0.1:9229/eu-west-1_Pool" {
		t.Errorf("issuer = %q; an emulator issues tokens as <endpoint>/<pool>", got)
	}
}

func TestMissingNamesAreNamed(t *testing.T) {
	n := names()
	n.Bucket = ""
	_, err := awsbackend.New(awsbackend.NewClients(aws.Config{Region: "us-east-1"}), n, nil)
	if err == nil || !strings.Contains(err.Error(), "bucket") {
		t.Errorf("New without a bucket = %v; want an error naming it", err)
	}
}

func TestTheKeyModeChoosesTheKeysAdapter(t *testing.T) {
	c := awsbackend.NewClients(aws.Config{Region: "us-east-1"})
	a, err := awsbackend.New(c, names(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if h, ok := a.Keys.(*kmskeys.Hierarchy); !ok || h.RootKeyID != "alias/imageapp/root" {
		t.Errorf("the default key mode gave %T; want the hierarchy under the root key", a.Keys)
	}
	n := names()
	n.KeyMode, n.RootKeyID = kmskeys.ModePerUserKMS, ""
	if a, err = awsbackend.New(c, n, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Keys.(*kmskeys.Keys); !ok {
		t.Errorf("per-user-kms gave %T; want a KMS key per user", a.Keys)
	}
	n.KeyMode = kmskeys.ModeHierarchy
	if _, err := awsbackend.New(c, n, nil); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_ROOT_KEY_ID") {
		t.Errorf("the hierarchy without a root key: %v; want an error naming IMAGEAPP_ROOT_KEY_ID", err)
	}
	deps, err := awsbackend.ProvisionDeps(c, names(), awsbackend.KeyPolicyRoles{})
	if _, ok := deps.Keys.(*kmskeys.Hierarchy); err != nil || !ok {
		t.Errorf("the trigger's provisioning in the default mode: %T, %v; want the hierarchy", deps.Keys, err)
	}
}

func TestNamesRoundTripTheirVariables(t *testing.T) {
	n := names()
	n.AppKeyID, n.KeyMode = "alias/imageapp/app", kmskeys.ModeHierarchy
	n.MailMode, n.SESFrom, n.SESConfigurationSet = awsbackend.MailSES, "no-reply@img.example", "imageapp-mail"
	env := n.Env()
	if got := awsbackend.NamesFromEnv(func(k string) string { return env[k] }); got != n {
		t.Errorf("NamesFromEnv(Env()) = %+v; want %+v", got, n)
	}
	if got := awsbackend.NamesFromEnv(func(string) string { return "" }); got.AppName != "imageapp" || got.KeyMode != kmskeys.ModeHierarchy || got.MailMode != awsbackend.MailSNS {
		t.Errorf("the defaults are app %q, mode %q, mail %q; want imageapp, hierarchy and sns", got.AppName, got.KeyMode, got.MailMode)
	}
}

// TestTheMailModeChoosesTheNotifier: SNS topics by default; in ses mode the
// app mails with SES and provisioning (the trigger's too) makes no topic.
func TestTheMailModeChoosesTheNotifier(t *testing.T) {
	ctx := context.Background()
	c := awsbackend.NewClients(aws.Config{Region: "us-east-1"})
	a, err := awsbackend.New(c, names(), nil)
	if _, ok := a.Notifier.(*snsnotifier.Notifier); err != nil || !ok {
		t.Errorf("the default mail mode: %T, %v; want SNS topics", a.Notifier, err)
	}
	n := names()
	n.MailMode = awsbackend.MailSES
	if _, err := awsbackend.New(c, n, nil); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_SES_FROM") {
		t.Errorf("ses mode without a From address: %v; want an error naming IMAGEAPP_SES_FROM", err)
	}
	n.AppKeyID = "alias/imageapp/app"
	if err := n.Check(); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_SES_FROM") {
		t.Errorf("Check of ses mode without a From address: %v; want an error naming IMAGEAPP_SES_FROM", err)
	}
	n.SESFrom, n.SESConfigurationSet = "no-reply@img.example", "imageapp-mail"
	a, err = awsbackend.New(c, n, nil)
	if s, ok := a.Notifier.(*sesnotifier.Notifier); err != nil || !ok || s.From != n.SESFrom || s.ConfigurationSet != "imageapp-mail" {
		t.Errorf("ses mode: %#v, %v; want SES from %s through imageapp-mail", a.Notifier, err, n.SESFrom)
	}
	// The trigger has no From address: it only provisions, which in ses
	// mode creates nothing (the client here reaches no SES at all).
	n.SESFrom = ""
	deps, err := awsbackend.ProvisionDeps(c, n, awsbackend.KeyPolicyRoles{})
	if err != nil {
		t.Fatal(err)
	}
	if topic, err := deps.Notifier.CreateUserTopic(ctx, imageapp.User{ID: "u1", Email: "u1@example.com"}); err != nil || topic != sesnotifier.Topic {
		t.Errorf("provisioning in ses mode: %q, %v; want the SES marker, no topic", topic, err)
	}
	n.MailMode = "smtp"
	if _, err := awsbackend.ProvisionDeps(c, n, awsbackend.KeyPolicyRoles{}); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_MAIL") {
		t.Errorf("an unknown mail mode: %v; want an error naming IMAGEAPP_MAIL", err)
	}
}
