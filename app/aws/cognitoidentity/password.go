package cognitoidentity

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"imageapp/app/imageapp"
)

// ChangePassword signs in with the current password and changes it with
// the account's own access token (Cognito's ChangePassword), as
// DeleteAccount does: no admin right is needed. The domain's policy is
// checked first, so an emulator or a lax pool lets no weaker password in.
func (id *Identity) ChangePassword(ctx context.Context, username, current, newPassword string) error {
	if err := imageapp.ValidatePassword(newPassword); err != nil {
		return err
	}
	tokens, err := id.authenticate(ctx, imageapp.Requester{}, username, current) // no client is named for a change of password (see contextData)
	if err != nil {
		return err
	}
	_, err = id.Cognito.ChangePassword(ctx, &cip.ChangePasswordInput{
		AccessToken:      tokens.AccessToken,
		PreviousPassword: aws.String(current),
		ProposedPassword: aws.String(newPassword),
	})
	if err != nil {
		return id.mapError("change password", err, map[string]error{
			// The token was just issued for this password: the account
			// went, or the password changed, in between.
			"NotAuthorizedException": imageapp.ErrWrongLogin(),
			"UserNotFoundException":  imageapp.ErrWrongLogin(),
		})
	}
	return nil
}
