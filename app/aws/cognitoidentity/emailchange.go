package cognitoidentity

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"imageapp/app/imageapp"
)

// Changing the email with the account's own access token, as
// ChangePassword does: UpdateUserAttributes mails a code to the new address
// and VerifyUserAttribute takes it. The pool keeps the old address until
// then only when its AttributesRequireVerificationBeforeUpdate names email
// (terraform sets it); the app's own view, the directory entry where
// notifications go, stays on the old address until the code either way.

// RequestEmailChange signs in with the password and asks Cognito to mail a
// code to newEmail.
func (id *Identity) RequestEmailChange(ctx context.Context, who imageapp.Requester, username, password, newEmail string) error {
	if err := who.Check(); err != nil {
		return err
	}
	if err := imageapp.ValidateEmail(newEmail); err != nil {
		return err
	}
	tokens, err := id.authenticate(ctx, who, username, password)
	if err != nil {
		return err
	}
	_, err = id.Cognito.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
		AccessToken:    tokens.AccessToken,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(newEmail)}},
	})
	if err != nil {
		return id.mapError("request email change", err, map[string]error{
			"AliasExistsException": imageapp.Errorf(imageapp.ECONFLICT, "Another account uses that address."),
		})
	}
	return nil
}

// ConfirmEmailChange signs in, verifies the code and reads back the
// address the account now has.
func (id *Identity) ConfirmEmailChange(ctx context.Context, who imageapp.Requester, username, password, code string) (string, error) {
	if err := who.Check(); err != nil {
		return "", err
	}
	if err := imageapp.ValidateCode(code); err != nil {
		return "", err
	}
	tokens, err := id.authenticate(ctx, who, username, password)
	if err != nil {
		return "", err
	}
	_, err = id.Cognito.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{
		AccessToken: tokens.AccessToken, AttributeName: aws.String("email"), Code: aws.String(code),
	})
	if err != nil {
		return "", id.mapError("confirm email change", err, nil)
	}
	out, err := id.Cognito.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
	if err != nil {
		return "", id.mapError("read the changed email", err, nil)
	}
	for _, a := range out.UserAttributes {
		if aws.ToString(a.Name) == "email" {
			return aws.ToString(a.Value), nil
		}
	}
	return "", fmt.Errorf("cognito: confirm email change: the account has no email attribute")
}

// CancelEmailChange has nothing to undo without the password: Cognito's
// waiting change stays until a code verifies it or a new request replaces
// it; the app only forgets it (its pages offer no way to enter the code).
func (id *Identity) CancelEmailChange(ctx context.Context, username string) error { return nil }
