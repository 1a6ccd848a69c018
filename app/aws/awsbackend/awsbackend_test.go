package awsbackend_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"imageapp/app/aws/awsbackend"
)

func names() awsbackend.Names {
	return awsbackend.Names{AppName: "imageapp", UserPoolID: "eu-west-1_Pool", ClientID: "client", UsersTable: "users",
		MessagesTable: "messages", Bucket: "bucket"}
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
