// Package cognitoidentity signs people up, confirms their email and logs them in
// with a Cognito user pool, answering with the same domain errors as the
// embedded backend. A login is trusted only after the ID token Cognito
// returns has been verified against the pool's published keys.
package cognitoidentity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"imageapp/app/imageapp"
)

// API is the part of the Cognito client the adapter uses.
type API interface {
	SignUp(ctx context.Context, in *cip.SignUpInput, optFns ...func(*cip.Options)) (*cip.SignUpOutput, error)
	ConfirmSignUp(ctx context.Context, in *cip.ConfirmSignUpInput, optFns ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error)
	ResendConfirmationCode(ctx context.Context, in *cip.ResendConfirmationCodeInput, optFns ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error)
	InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, optFns ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	ForgotPassword(ctx context.Context, in *cip.ForgotPasswordInput, optFns ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error)
	ConfirmForgotPassword(ctx context.Context, in *cip.ConfirmForgotPasswordInput, optFns ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error)
	DeleteUser(ctx context.Context, in *cip.DeleteUserInput, optFns ...func(*cip.Options)) (*cip.DeleteUserOutput, error)
	ChangePassword(ctx context.Context, in *cip.ChangePasswordInput, optFns ...func(*cip.Options)) (*cip.ChangePasswordOutput, error)
	UpdateUserAttributes(ctx context.Context, in *cip.UpdateUserAttributesInput, optFns ...func(*cip.Options)) (*cip.UpdateUserAttributesOutput, error)
	VerifyUserAttribute(ctx context.Context, in *cip.VerifyUserAttributeInput, optFns ...func(*cip.Options)) (*cip.VerifyUserAttributeOutput, error)
	GetUser(ctx context.Context, in *cip.GetUserInput, optFns ...func(*cip.Options)) (*cip.GetUserOutput, error)
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, optFns ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	AdminDeleteUser(ctx context.Context, in *cip.AdminDeleteUserInput, optFns ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
}

// Names holds usernames for sign-ups in the directory, atomically with the
// directory's own checks (dynamostore.Directory): a name a user holds, a
// retired name, or one claimed by a sign-up whose code is still good is
// refused (ECONFLICT).
type Names interface {
	ClaimUsername(ctx context.Context, username string, until time.Time) error
	ExtendClaim(ctx context.Context, username string, until time.Time) error
	ReleaseClaim(ctx context.Context, username string, until time.Time) error
}

// CodeLifetime is how long Cognito's confirmation codes work: a sign-up's
// claim on its name lasts as long.
const CodeLifetime = 24 * time.Hour

// Identity implements imageapp.Identity on a Cognito user pool.
//
// Usernames are case-insensitive in the app, so the pool's username is the
// lowercased name, which makes "Alice" and "alice" the same account whatever
// the pool's own case setting; the name as typed is kept in the standard
// preferred_username attribute and used for display.
type Identity struct {
	Cognito      API
	ClientID     string
	ClientSecret string // "" for an app client without a secret
	Tokens       *Verifier
	Log          *slog.Logger

	// Names claims each sign-up's name before the pool is asked; nil
	// claims nothing (the pool alone decides: adapter tests only).
	Names Names
	// UserPoolID names the pool for the admin calls that remove an
	// unconfirmed account whose code expired.
	UserPoolID string
	Now        func() time.Time
}

func (id *Identity) now() time.Time {
	if id.Now != nil {
		return id.Now().UTC()
	}
	return time.Now().UTC()
}

var _ imageapp.Identity = (*Identity)(nil)

// SecretHash is Base64(HMAC-SHA256(client secret, username + client ID)),
// which Cognito requires on every call for a client that has a secret.
func SecretHash(clientSecret, clientID, username string) string {
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (id *Identity) secretHash(poolUsername string) *string {
	if id.ClientSecret == "" {
		return nil
	}
	return aws.String(SecretHash(id.ClientSecret, id.ClientID, poolUsername))
}

// poolUsername is the name the pool knows the account by.
func poolUsername(username string) string { return strings.ToLower(strings.TrimSpace(username)) }

// SignUp validates with the domain's rules first (an emulator or a lax pool
// policy must not let weaker input in), claims the name in the directory,
// then creates the account. The claim is the check a deletion cannot slip
// past: it refuses the name of a user, and a retired one, in one
// conditional write, and a deletion retires the name before its login
// goes. A name whose claim is free but which the pool still holds is an
// unconfirmed account whose code expired: it is removed, and the sign-up
// takes its place.
func (id *Identity) SignUp(ctx context.Context, who imageapp.Requester, in imageapp.SignUpInput) error {
	if err := who.Check(); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	name := poolUsername(in.Username)
	until := id.now().Add(CodeLifetime)
	if id.Names != nil {
		if err := id.Names.ClaimUsername(ctx, in.Username, until); err != nil {
			return err
		}
	}
	err := id.signUp(ctx, who, name, in)
	if errorCode(err) == "UsernameExistsException" && id.Names != nil {
		removed, rerr := id.removeExpired(ctx, name)
		if rerr != nil {
			id.log().Error("could not remove an unconfirmed account whose code expired", "err", rerr)
		}
		if removed {
			err = id.signUp(ctx, who, name, in)
		}
	}
	if err != nil {
		if id.Names != nil {
			if rerr := id.Names.ReleaseClaim(ctx, name, until); rerr != nil {
				id.log().Error("could not release a sign-up's claim", "err", rerr)
			}
		}
		return id.mapError("sign up", err, map[string]error{
			"UsernameExistsException": imageapp.ErrUsernameTaken(in.Username),
			"AliasExistsException":    imageapp.ErrUsernameTaken(in.Username),
		})
	}
	return nil
}

func (id *Identity) signUp(ctx context.Context, who imageapp.Requester, name string, in imageapp.SignUpInput) error {
	_, err := id.Cognito.SignUp(ctx, &cip.SignUpInput{
		ClientId:        aws.String(id.ClientID),
		SecretHash:      id.secretHash(name),
		UserContextData: contextData(who),
		Username:        aws.String(name),
		Password:        aws.String(in.Password),
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(in.Email)},
			{Name: aws.String("preferred_username"), Value: aws.String(in.Username)},
		},
	})
	return err
}

// removeExpired deletes the pool's account called name if it is
// unconfirmed and unchanged for longer than a code lives: the directory's
// claim on the name has expired with its code, so it holds the name no
// more. A confirmed account (its provisioning may not have run yet) stays.
func (id *Identity) removeExpired(ctx context.Context, name string) (bool, error) {
	if id.UserPoolID == "" {
		return false, nil
	}
	u, err := id.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(id.UserPoolID), Username: aws.String(name)})
	if err != nil {
		return false, fmt.Errorf("cognito: admin get user: %w", err)
	}
	changed := u.UserLastModifiedDate
	if u.UserStatus != types.UserStatusTypeUnconfirmed || changed == nil || id.now().Sub(*changed) < CodeLifetime {
		return false, nil
	}
	if _, err := id.Cognito.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(id.UserPoolID), Username: aws.String(name)}); err != nil {
		return false, fmt.Errorf("cognito: admin delete user: %w", err)
	}
	id.log().Info("removed an unconfirmed account whose code expired, for a new sign-up of its name")
	return true, nil
}

// Cognito keeps its own limits on codes, per account: the methods that
// send or check one refuse the zero Requester, as every identity port
// does, and tell Cognito its address (contextData).

// contextData is what Cognito's threat protection is told of who asks:
// the client's address, nil when unknown. Without it the pool would judge
// every sign-in by the instances' own address.
func contextData(who imageapp.Requester) *types.UserContextDataType {
	if who.Address() == "" {
		return nil
	}
	return &types.UserContextDataType{IpAddress: aws.String(who.Address())}
}

// Confirm confirms the account with the emailed code. Provisioning is the
// pool's post-confirmation trigger (lambda/); if it failed, the account is
// confirmed anyway and the app provisions lazily at first login.
func (id *Identity) Confirm(ctx context.Context, who imageapp.Requester, username, code string) error {
	if err := who.Check(); err != nil {
		return err
	}
	if err := imageapp.ValidateCode(code); err != nil {
		return err
	}
	name := poolUsername(username)
	_, err := id.Cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId:         aws.String(id.ClientID),
		UserContextData:  contextData(who),
		SecretHash:       id.secretHash(name),
		Username:         aws.String(name),
		ConfirmationCode: aws.String(code),
	})
	switch {
	case err == nil:
		return nil
	case errorCode(err) == "NotAuthorizedException" && strings.Contains(errorMessage(err), "CONFIRMED"):
		// "Current status is CONFIRMED", whatever the code: not a success, or
		// any code would tell that the account exists and is confirmed.
		return fmt.Errorf("%w (cognito confirm: %s)", imageapp.ErrAlreadyConfirmed(), errorCode(err))
	case errorCode(err) == "UserLambdaValidationException" || errorCode(err) == "UnexpectedLambdaException":
		id.log().Error("post-confirmation trigger failed; the app will provision lazily", "err", err)
		return nil
	}
	return id.mapError("confirm", err, map[string]error{
		"UserNotFoundException":  imageapp.ErrNoAccount(username),
		"NotAuthorizedException": imageapp.ErrNoAccount(username),
	})
}

// ResendCode asks Cognito to mail a fresh confirmation code.
func (id *Identity) ResendCode(ctx context.Context, who imageapp.Requester, username string) error {
	if err := who.Check(); err != nil {
		return err
	}
	name := poolUsername(username)
	_, err := id.Cognito.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{
		ClientId:        aws.String(id.ClientID),
		SecretHash:      id.secretHash(name),
		UserContextData: contextData(who),
		Username:        aws.String(name),
	})
	if err != nil {
		if errorCode(err) == "InvalidParameterException" && strings.Contains(strings.ToLower(errorMessage(err)), "confirmed") {
			return imageapp.ErrAlreadyConfirmed()
		}
		return id.mapError("resend code", err, map[string]error{
			"UserNotFoundException": imageapp.ErrNoAccount(username),
		})
	}
	if id.Names != nil {
		// A fresh code keeps the name for its life.
		if err := id.Names.ExtendClaim(ctx, name, id.now().Add(CodeLifetime)); err != nil {
			return err
		}
	}
	return nil
}

// Login runs USER_PASSWORD_AUTH and returns who the verified ID token says
// the caller is. Unknown users and wrong passwords get one answer.
func (id *Identity) Login(ctx context.Context, who imageapp.Requester, username, password string) (imageapp.Principal, error) {
	tokens, err := id.authenticate(ctx, who, username, password)
	if err != nil {
		return imageapp.Principal{}, err
	}
	p, err := id.Tokens.Verify(ctx, *tokens.IdToken)
	if err != nil {
		return imageapp.Principal{}, fmt.Errorf("cognito: login: %w", err)
	}
	return p, nil
}

// authenticate checks the password with the pool, for who when known, and
// returns its tokens.
func (id *Identity) authenticate(ctx context.Context, who imageapp.Requester, username, password string) (*types.AuthenticationResultType, error) {
	name := poolUsername(username)
	if name == "" || password == "" {
		return nil, imageapp.ErrWrongLogin()
	}
	params := map[string]string{"USERNAME": name, "PASSWORD": password}
	if h := id.secretHash(name); h != nil {
		params["SECRET_HASH"] = *h
	}
	out, err := id.Cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId:        aws.String(id.ClientID),
		AuthFlow:        types.AuthFlowTypeUserPasswordAuth,
		AuthParameters:  params,
		UserContextData: contextData(who),
	})
	if err != nil {
		return nil, id.mapError("login", err, map[string]error{
			"NotAuthorizedException":   imageapp.ErrWrongLogin(),
			"UserNotFoundException":    imageapp.ErrWrongLogin(),
			"InvalidPasswordException": imageapp.ErrWrongLogin(), // what some emulators answer for a wrong password
			"PasswordResetRequiredException": imageapp.Errorf(imageapp.EUNAUTHORIZED,
				"You need to set a new password: use “Forgot password”."),
		})
	}
	if out.AuthenticationResult == nil || out.AuthenticationResult.IdToken == nil || out.AuthenticationResult.AccessToken == nil {
		return nil, fmt.Errorf("cognito: login: the pool asked for a %s challenge, which the app does not support", out.ChallengeName)
	}
	return out.AuthenticationResult, nil
}

// DeleteAccount signs in with the password and deletes the account with
// its own access token (Cognito's DeleteUser): no admin right is needed,
// and none is granted to the app.
func (id *Identity) DeleteAccount(ctx context.Context, username, password string) error {
	// The password was checked for the person by Login just before; this
	// sign-in is the app's own step, with no client to tell of.
	tokens, err := id.authenticate(ctx, imageapp.Requester{}, username, password)
	if err != nil {
		return err
	}
	if _, err := id.Cognito.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: tokens.AccessToken}); err != nil {
		return id.mapError("delete account", err, nil)
	}
	return nil
}

// ForgotPassword mails a reset code; an unknown user gets the same answer.
func (id *Identity) ForgotPassword(ctx context.Context, who imageapp.Requester, username string) error {
	if err := who.Check(); err != nil {
		return err
	}
	name := poolUsername(username)
	_, err := id.Cognito.ForgotPassword(ctx, &cip.ForgotPasswordInput{
		ClientId:        aws.String(id.ClientID),
		SecretHash:      id.secretHash(name),
		UserContextData: contextData(who),
		Username:        aws.String(name),
	})
	if errorCode(err) == "UserNotFoundException" {
		return nil
	}
	if err != nil {
		return id.mapError("forgot password", err, nil)
	}
	return nil
}

// ResetPassword sets a new password with the emailed reset code.
func (id *Identity) ResetPassword(ctx context.Context, who imageapp.Requester, username, code, newPassword string) error {
	if err := who.Check(); err != nil {
		return err
	}
	if err := imageapp.ValidateCode(code); err != nil {
		return err
	}
	if err := imageapp.ValidatePassword(newPassword); err != nil {
		return err
	}
	name := poolUsername(username)
	_, err := id.Cognito.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId:         aws.String(id.ClientID),
		UserContextData:  contextData(who),
		SecretHash:       id.secretHash(name),
		Username:         aws.String(name),
		ConfirmationCode: aws.String(code),
		Password:         aws.String(newPassword),
	})
	if err != nil {
		wrongCode := imageapp.ErrWrongOrExpiredCode()
		return id.mapError("reset password", err, map[string]error{
			"UserNotFoundException":  wrongCode,
			"NotAuthorizedException": wrongCode,
		})
	}
	return nil
}

// common maps the Cognito errors whose meaning is the same for every call.
var common = map[string]error{
	"CodeMismatchException":          imageapp.ErrWrongCode(),
	"ExpiredCodeException":           imageapp.ErrCodeExpired(),
	"UserNotConfirmedException":      imageapp.ErrUnconfirmed(),
	"InvalidPasswordException":       imageapp.ErrPasswordPolicy(),
	"InvalidParameterException":      imageapp.Errorf(imageapp.EINVALID, "Check what you entered and try again."),
	"LimitExceededException":         imageapp.ErrTooManyAttempts(),
	"TooManyRequestsException":       imageapp.ErrTooManyAttempts(),
	"TooManyFailedAttemptsException": imageapp.ErrTooManyWrongCodes(),
	"CodeDeliveryFailureException":   imageapp.ErrMailFailed(),
}

// mapError turns a Cognito error into the domain error for op: first the
// call's own table, then the common one. Anything else stays an internal
// error, logged in full by the caller.
func (id *Identity) mapError(op string, err error, specific map[string]error) error {
	code := errorCode(err)
	if isMailQuota(err) {
		return fmt.Errorf("%w (cognito %s: %s)", imageapp.ErrMailUnavailable(), op, code)
	}
	if e, ok := specific[code]; ok {
		return fmt.Errorf("%w (cognito %s: %s)", e, op, code)
	}
	if e, ok := common[code]; ok {
		return fmt.Errorf("%w (cognito %s: %s)", e, op, code)
	}
	return fmt.Errorf("cognito: %s: %w", op, err)
}

// isMailQuota tells Cognito's refusal to send mail (its daily quota, or SES
// throttling it) from its per-user attempt limit: both are
// LimitExceededException, only the first is about email. It is the
// service's limit, not the person's: 503, try later, rather than 429.
func isMailQuota(err error) bool {
	return errorCode(err) == "LimitExceededException" && strings.Contains(strings.ToLower(errorMessage(err)), "email")
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func errorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func (id *Identity) log() *slog.Logger {
	if id.Log != nil {
		return id.Log
	}
	return slog.Default()
}
