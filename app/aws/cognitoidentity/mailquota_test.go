package cognitoidentity_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"imageapp/app/aws/cognitoidentity"
	"imageapp/app/imageapp"
)

// TestMailQuotaIsUnavailableNotRateLimited: when Cognito cannot send mail
// (its daily quota, or SES throttling it), every call that mails answers
// LimitExceededException about email. That is the service's limit, not the
// person's: 503 "email is unavailable, try later", never 429. The per-user
// attempt limit, the same exception about attempts, stays 429.
func TestMailQuotaIsUnavailableNotRateLimited(t *testing.T) {
	quota := cognitoError("LimitExceededException", "Exceeded daily email limit for the operation or the account. "+
		"If a higher limit is required, please configure your user pool to use your own Amazon SES configuration for sending email.")
	fake := &fakeCognito{t: t, replies: map[string]string{
		"SignUp/dora":                 quota,
		"ResendConfirmationCode/dora": quota,
		"ForgotPassword/dora":         quota,
		"ForgotPassword/spammer":      cognitoError("LimitExceededException", "Attempt limit exceeded, please try after some time."),
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
	id := &cognitoidentity.Identity{Cognito: client, ClientID: "client-1", ClientSecret: "s3cret", Log: slog.New(slog.DiscardHandler)}
	ctx := context.Background()

	for what, err := range map[string]error{
		"sign-up":     id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "dora", Email: "dora@example.com", Password: "long enough password"}),
		"resend code": id.ResendCode(ctx, tester, "dora"),
		"forgot":      id.ForgotPassword(ctx, tester, "dora"),
	} {
		if imageapp.ErrorCode(err) != imageapp.EUNAVAILABLE || imageapp.ErrorMessage(err) != imageapp.ErrMailUnavailable().Message {
			t.Errorf("%s with the mail quota spent: %v (code %q); want EUNAVAILABLE %q", what, err, imageapp.ErrorCode(err), imageapp.ErrMailUnavailable().Message)
		}
	}
	if err := id.ForgotPassword(ctx, tester, "spammer"); imageapp.ErrorCode(err) != imageapp.ERATELIMITED {
		t.Errorf("forgot, attempt limit: %v; want ERATELIMITED (the person's limit)", err)
	}
}
