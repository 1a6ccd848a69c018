package accounts

import (
	"context"

	"imageapp/app/imageapp"
)

// SignInStores hold a user's ways in besides the password, and where their
// notifications are pushed; account deletion forgets them all. A nil store
// is one the wiring does not have.
type SignInStores struct {
	TwoFactor imageapp.TwoFactorStore
	Passkeys  imageapp.PasskeyStore
	Push      imageapp.PushSubscriptions
}

// forgetSignIn removes userID's two-factor enrolment, passkeys and push
// subscriptions. Each removal is idempotent, so a deletion retried finishes
// it.
func (s SignInStores) forgetSignIn(ctx context.Context, userID string) error {
	if s.TwoFactor != nil {
		if err := s.TwoFactor.DeleteTwoFactor(ctx, userID); err != nil {
			return err
		}
	}
	if s.Passkeys != nil {
		keys, err := s.Passkeys.Passkeys(ctx, userID)
		if err != nil {
			return err
		}
		for _, p := range keys {
			if err := s.Passkeys.RemovePasskey(ctx, userID, p.ID); err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
				return err
			}
		}
	}
	if s.Push != nil {
		subs, err := s.Push.PushSubscriptionsOf(ctx, userID)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if err := s.Push.RemovePushSubscription(ctx, userID, sub.Endpoint); err != nil {
				return err
			}
		}
	}
	return nil
}
