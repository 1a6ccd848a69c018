package cognitoidentity_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/cognitoidentity"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
)

// tester is who asks for the codes these tests send and try.
var tester = imageapp.Tool("test")

var stack *awstest.Stack

func TestMain(m *testing.M) {
	os.Exit(awstest.RunMain(m, awstest.Options{Services: []awstest.Service{awstest.Cognito}}, &stack))
}

var pools atomic.Int32

// newIdentity is the adapter on a fresh pool of cognito-local, whose app
// client has a secret, built the way the app builds it.
func newIdentity(t *testing.T) *cognitoidentity.Identity {
	t.Helper()
	ctx := context.Background()
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clients := awsbackend.NewClients(cfg)
	res, err := awstest.CreateResources(ctx, clients, stack, "pool"+string(rune('a'+pools.Add(1))))
	if err != nil {
		t.Fatal(err)
	}
	a, err := awsbackend.New(clients, awsbackend.Names{AppName: "imageapp", UserPoolID: res.UserPoolID, ClientID: res.ClientID,
		ClientSecret: res.ClientSecret, UsersTable: "u", MessagesTable: "m", Bucket: "b", KeyMode: kmskeys.ModePerUserKMS}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := stack.URLs[awstest.Cognito] + "/" + res.UserPoolID; a.Identity.Tokens.Issuer != want {
		t.Fatalf("issuer = %q; with AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER set it must be %q", a.Identity.Tokens.Issuer, want)
	}
	// The pool alone: the directory's claim of each name (DynamoDB) is
	// the conformance suite's to test, over both.
	a.Identity.Names = nil
	return a.Identity
}

// TestLoginVerifiesTheEmulatorsToken runs sign-up, confirmation and login
// against cognito-local; the ID token is checked against its JWKS.
func TestLoginVerifiesTheEmulatorsToken(t *testing.T) {
	ctx := context.Background()
	id := newIdentity(t)
	if err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "Erin", Email: "erin@example.com", Password: "correct horse"}); err != nil {
		t.Fatalf("sign up: %v", err)
	}
	if err := id.Confirm(ctx, tester, "ERIN", awstest.Code); err != nil {
		t.Fatalf("confirm with another case: %v", err)
	}
	p, err := id.Login(ctx, tester, "erin", "correct horse")
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if len(p.ID) != 36 || !strings.EqualFold(p.Username, "erin") || p.Email != "erin@example.com" {
		t.Errorf("principal = %+v; want the pool's sub, the username and the email", p)
	}

	// A verifier that expects another client rejects the same login.
	id.Tokens = &cognitoidentity.Verifier{Issuer: id.Tokens.Issuer, ClientID: "someone-else"}
	if _, err := id.Login(ctx, tester, "erin", "correct horse"); err == nil || imageapp.ErrorCode(err) != imageapp.EINTERNAL {
		t.Errorf("login with a token for another audience = %v; want an internal error", err)
	}
}

func TestPasswordReset(t *testing.T) {
	ctx := context.Background()
	id := newIdentity(t)
	if err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "frank", Email: "frank@example.com", Password: "first password"}); err != nil {
		t.Fatal(err)
	}
	if err := id.Confirm(ctx, tester, "frank", awstest.Code); err != nil {
		t.Fatal(err)
	}
	if err := id.ForgotPassword(ctx, tester, "nobody-here"); err != nil {
		t.Errorf("forgot password of an unknown user = %v; want nil (no account enumeration)", err)
	}
	if err := id.ForgotPassword(ctx, tester, "Frank"); err != nil {
		t.Fatalf("forgot password: %v", err)
	}
	if err := id.ResetPassword(ctx, tester, "frank", awstest.Code, "short"); imageapp.ErrorCode(err) != imageapp.EINVALID {
		t.Errorf("reset to a short password = %v; want EINVALID before Cognito is asked", err)
	}
	if err := id.ResetPassword(ctx, tester, "frank", "000000", "second password"); imageapp.ErrorCode(err) != imageapp.EINVALID {
		t.Errorf("reset with a wrong code = %v; want EINVALID", err)
	}
	if err := id.ResetPassword(ctx, tester, "frank", awstest.Code, "second password"); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if _, err := id.Login(ctx, tester, "frank", "second password"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	if _, err := id.Login(ctx, tester, "frank", "first password"); imageapp.ErrorCode(err) != imageapp.EUNAUTHORIZED {
		t.Errorf("login with the old password = %v; want EUNAUTHORIZED", err)
	}
}

// recorder is an API that records calls and answers none: input checks
// must fail before Cognito is asked.
type recorder struct {
	cognitoidentity.API
	signUps []*cip.SignUpInput
}

func (r *recorder) SignUp(ctx context.Context, in *cip.SignUpInput, o ...func(*cip.Options)) (*cip.SignUpOutput, error) {
	r.signUps = append(r.signUps, in)
	return &cip.SignUpOutput{}, nil
}

func TestSignUpValidatesBeforeAskingCognitoAndSendsSecretHash(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	id := &cognitoidentity.Identity{Cognito: rec, ClientID: "client-1", ClientSecret: "s3cret"}
	for _, in := range []imageapp.SignUpInput{
		{Username: "ok_name", Email: "ok@example.com", Password: "short"},
		{Username: "x", Email: "ok@example.com", Password: "long enough password"},
		{Username: "ok_name", Email: "not-an-email", Password: "long enough password"},
	} {
		if err := id.SignUp(ctx, tester, in); imageapp.ErrorCode(err) != imageapp.EINVALID {
			t.Errorf("SignUp(%+v) = %v; want EINVALID", in, err)
		}
	}
	if len(rec.signUps) != 0 {
		t.Fatalf("invalid input reached Cognito %d times", len(rec.signUps))
	}
	if err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "Grace", Email: "grace@example.com", Password: "long enough password"}); err != nil {
		t.Fatal(err)
	}
	in := rec.signUps[0]
	if aws.ToString(in.Username) != "grace" {
		t.Errorf("pool username = %q; want it lowercased", aws.ToString(in.Username))
	}
	if want := cognitoidentity.SecretHash("s3cret", "client-1", "grace"); aws.ToString(in.SecretHash) != want {
		t.Errorf("SECRET_HASH = %q, want %q", aws.ToString(in.SecretHash), want)
	}
	attrs := map[string]string{}
	for _, a := range in.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if attrs["email"] != "grace@example.com" || attrs["preferred_username"] != "Grace" {
		t.Errorf("attributes = %v; want the email and the name as typed", attrs)
	}
	// Without a client secret there is no SECRET_HASH.
	id.ClientSecret = ""
	id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "heidi", Email: "heidi@example.com", Password: "long enough password"})
	if rec.signUps[1].SecretHash != nil {
		t.Error("SECRET_HASH sent for a client without a secret")
	}
}

// fakeCognito answers the Cognito JSON protocol with canned replies keyed
// by operation and username, for what cognito-local does not do (resend a
// code) or does differently from Cognito (its error codes).
type fakeCognito struct {
	t       *testing.T
	replies map[string]string // "Operation/username" → `status body`
	last    map[string]string
	lastIP  string // the last request's UserContextData.IpAddress
}

func (f *fakeCognito) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	body, _ := io.ReadAll(r.Body)
	f.last = map[string]string{}
	json.Unmarshal(body, &f.last) // an object field (UserContextData) is left out
	var ctxData struct{ UserContextData struct{ IpAddress string } }
	json.Unmarshal(body, &ctxData)
	f.lastIP = ctxData.UserContextData.IpAddress
	name := f.last["Username"]
	if params, ok := f.lastAuth(body); ok {
		name = params
	}
	reply, ok := f.replies[op+"/"+name]
	if !ok {
		f.t.Errorf("unexpected call %s for %q", op, name)
		reply = `500 {"__type":"InternalErrorException","message":"unexpected"}`
	}
	status, payload, _ := strings.Cut(reply, " ")
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if status == "400" {
		w.WriteHeader(http.StatusBadRequest)
	} else if status != "200" {
		w.WriteHeader(http.StatusInternalServerError)
	}
	io.WriteString(w, payload)
}

// lastAuth reads USERNAME from InitiateAuth's AuthParameters.
func (f *fakeCognito) lastAuth(body []byte) (string, bool) {
	var in struct{ AuthParameters map[string]string }
	if json.Unmarshal(body, &in) != nil || in.AuthParameters == nil {
		return "", false
	}
	return in.AuthParameters["USERNAME"], true
}

func cognitoError(code, msg string) string {
	return `400 {"__type":"` + code + `","message":"` + msg + `"}`
}

// TestCognitoErrorsMapToTheDomain drives the real SDK client against a fake
// speaking Cognito's JSON protocol with the errors Cognito itself returns.
// It is also how ResendConfirmationCode is tested: cognito-local lacks it.
func TestCognitoErrorsMapToTheDomain(t *testing.T) {
	fake := &fakeCognito{t: t, replies: map[string]string{
		"ResendConfirmationCode/new":       `200 {"CodeDeliveryDetails":{"AttributeName":"email","DeliveryMedium":"EMAIL","Destination":"n***@e***"}}`,
		"ResendConfirmationCode/confirmed": cognitoError("InvalidParameterException", "User is already confirmed."),
		"ResendConfirmationCode/spammer":   cognitoError("LimitExceededException", "Attempt limit exceeded, please try after some time."),
		"ResendConfirmationCode/ghost":     cognitoError("UserNotFoundException", "Username/client id combination not found."),
		"SignUp/taken":                     cognitoError("UsernameExistsException", "User already exists"),
		"SignUp/weak":                      cognitoError("InvalidPasswordException", "Password did not conform with policy"),
		"SignUp/busy":                      cognitoError("TooManyRequestsException", "Too many requests"),
		"ConfirmSignUp/wrong":              cognitoError("CodeMismatchException", "Invalid verification code provided, please try again."),
		"ConfirmSignUp/late":               cognitoError("ExpiredCodeException", "Invalid code provided, please request a code again."),
		"ConfirmSignUp/guesser":            cognitoError("TooManyFailedAttemptsException", "Too many failed attempts."),
		"ConfirmSignUp/ghost":              cognitoError("UserNotFoundException", "Username/client id combination not found."),
		"ConfirmSignUp/twice":              cognitoError("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"),
		"ConfirmSignUp/trigger":            cognitoError("UserLambdaValidationException", "PostConfirmation failed with error KMS is down."),
		"InitiateAuth/wrong":               cognitoError("NotAuthorizedException", "Incorrect username or password."),
		"InitiateAuth/ghost":               cognitoError("UserNotFoundException", "User does not exist."),
		"InitiateAuth/pending":             cognitoError("UserNotConfirmedException", "User is not confirmed."),
		"InitiateAuth/reset":               cognitoError("PasswordResetRequiredException", "Password reset required for the user"),
		"InitiateAuth/hammer":              cognitoError("TooManyRequestsException", "Rate exceeded"),
		"ForgotPassword/ghost":             cognitoError("UserNotFoundException", "Username/client id combination not found."),
		"ForgotPassword/spammer":           cognitoError("LimitExceededException", "Attempt limit exceeded, please try after some time."),
		"ConfirmForgotPassword/wrong":      cognitoError("CodeMismatchException", "Invalid verification code provided, please try again."),
		"ConfirmForgotPassword/weak":       cognitoError("InvalidPasswordException", "Password does not conform to policy"),
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
	id := &cognitoidentity.Identity{Cognito: client, ClientID: "client-1", ClientSecret: "s3cret", Log: slog.New(slog.DiscardHandler)}
	ctx := context.Background()

	if err := id.ResendCode(ctx, tester, "NEW"); err != nil {
		t.Fatalf("resend: %v", err)
	}
	if fake.last["ClientId"] != "client-1" || fake.last["SecretHash"] != cognitoidentity.SecretHash("s3cret", "client-1", "new") {
		t.Errorf("request = %v; want the client ID and the SECRET_HASH of the lowercased name", fake.last)
	}
	signUp := func(name string) error {
		return id.SignUp(ctx, tester, imageapp.SignUpInput{Username: name, Email: name + "@example.com", Password: "long enough password"})
	}
	login := func(name string) error { _, err := id.Login(ctx, tester, name, "long enough password"); return err }
	for _, tc := range []struct {
		what string
		err  error
		code string
	}{
		{"resend, confirmed already", id.ResendCode(ctx, tester, "confirmed"), imageapp.EINVALID},
		{"resend, too often", id.ResendCode(ctx, tester, "spammer"), imageapp.ERATELIMITED},
		{"resend, unknown user", id.ResendCode(ctx, tester, "ghost"), imageapp.ENOTFOUND},
		{"sign-up, taken", signUp("taken"), imageapp.ECONFLICT},
		{"sign-up, pool policy", signUp("weak"), imageapp.EINVALID},
		{"sign-up, throttled", signUp("busy"), imageapp.ERATELIMITED},
		{"confirm, wrong code", id.Confirm(ctx, tester, "wrong", "123456"), imageapp.EINVALID},
		{"confirm, expired code", id.Confirm(ctx, tester, "late", "123456"), imageapp.EINVALID},
		{"confirm, too many tries", id.Confirm(ctx, tester, "guesser", "123456"), imageapp.ERATELIMITED},
		{"confirm, unknown user", id.Confirm(ctx, tester, "ghost", "123456"), imageapp.ENOTFOUND},
		{"confirm, twice", id.Confirm(ctx, tester, "twice", "123456"), imageapp.EINVALID},
		{"confirm, trigger failed", id.Confirm(ctx, tester, "trigger", "123456"), ""},
		{"login, wrong password", login("wrong"), imageapp.EUNAUTHORIZED},
		{"login, unknown user", login("ghost"), imageapp.EUNAUTHORIZED},
		{"login, unconfirmed", login("pending"), imageapp.EUNCONFIRMED},
		{"login, reset required", login("reset"), imageapp.EUNAUTHORIZED},
		{"login, throttled", login("hammer"), imageapp.ERATELIMITED},
		{"forgot, unknown user", id.ForgotPassword(ctx, tester, "ghost"), ""},
		{"forgot, too often", id.ForgotPassword(ctx, tester, "spammer"), imageapp.ERATELIMITED},
		{"reset, wrong code", id.ResetPassword(ctx, tester, "wrong", "123456", "long enough password"), imageapp.EINVALID},
		{"reset, pool policy", id.ResetPassword(ctx, tester, "weak", "123456", "long enough password"), imageapp.EINVALID},
	} {
		if got := imageapp.ErrorCode(tc.err); got != tc.code {
			t.Errorf("%s: %v (code %q); want code %q", tc.what, tc.err, got, tc.code)
		}
	}
	wrong, ghost := login("wrong"), login("ghost")
	if imageapp.ErrorMessage(wrong) != "The username or password is wrong." || imageapp.ErrorMessage(ghost) != imageapp.ErrorMessage(wrong) {
		t.Errorf("login messages %q and %q; want the same as local mode for both", imageapp.ErrorMessage(wrong), imageapp.ErrorMessage(ghost))
	}
	if msg := imageapp.ErrorMessage(id.ResendCode(ctx, tester, "confirmed")); msg != "This account is confirmed already. Log in." {
		t.Errorf("message = %q; want the same as local mode", msg)
	}
}

// TestCognitoIsToldWhoAsks: every call made for a person tells Cognito
// their address (UserContextData), so its threat protection judges a
// sign-in by where it comes from, not by the instances' address; a tool
// (no address) sends none.
func TestCognitoIsToldWhoAsks(t *testing.T) {
	fake := &fakeCognito{t: t, replies: map[string]string{
		"SignUp/carol":                 `200 {"UserConfirmed":false,"UserSub":"sub-1"}`,
		"ConfirmSignUp/carol":          `200 {}`,
		"ResendConfirmationCode/carol": `200 {}`,
		"InitiateAuth/carol":           cognitoError("NotAuthorizedException", "Incorrect username or password."),
		"ForgotPassword/carol":         `200 {}`,
		"ConfirmForgotPassword/carol":  `200 {}`,
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
	id := &cognitoidentity.Identity{Cognito: client, ClientID: "client-1", Log: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	calls := map[string]func(who imageapp.Requester){
		"SignUp": func(who imageapp.Requester) {
			id.SignUp(ctx, who, imageapp.SignUpInput{Username: "carol", Email: "carol@example.com", Password: "long enough password"})
		},
		"ConfirmSignUp":          func(who imageapp.Requester) { id.Confirm(ctx, who, "carol", "123456") },
		"ResendConfirmationCode": func(who imageapp.Requester) { id.ResendCode(ctx, who, "carol") },
		"InitiateAuth":           func(who imageapp.Requester) { id.Login(ctx, who, "carol", "long enough password") },
		"ForgotPassword":         func(who imageapp.Requester) { id.ForgotPassword(ctx, who, "carol") },
		"ConfirmForgotPassword": func(who imageapp.Requester) {
			id.ResetPassword(ctx, who, "carol", "123456", "another long password")
		},
	}
	for op, call := range calls {
		for _, c := range []struct {
			who  imageapp.Requester
			want string
		}{
			{imageapp.ByAddress("203.0.113.7"), "203.0.113.7"},
			{imageapp.ByDevice("device-1", "198.51.100.9"), "198.51.100.9"},
			{tester, ""},
		} {
			fake.lastIP = "unset"
			call(c.who)
			if fake.lastIP != c.want {
				t.Errorf("%s for %q: Cognito was told the address %q; want %q", op, c.who.Key(), fake.lastIP, c.want)
			}
		}
	}
}
