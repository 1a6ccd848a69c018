// Package provision is the post-confirmation step: it gives a newly confirmed
// user a key of their own, a notification topic and a directory entry. Local
// mode calls it in-process after confirmation; in AWS mode the Cognito
// trigger in lambda/ calls the same function. It is idempotent, so running it
// twice (a retried trigger, or lazy provisioning by the app) is harmless.
package provision

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// Deps are the ports provisioning writes to.
type Deps struct {
	Keys     imageapp.Keys
	Notifier imageapp.Notifier
	Users    imageapp.Users // the entries only
	Now      func() time.Time
}

// For returns the provisioning function over d.
func For(d Deps) imageapp.Provisioner {
	return func(ctx context.Context, u imageapp.User) (imageapp.User, error) { return User(ctx, d, u) }
}

// User provisions u (ID, Username and Email set) and returns the stored entry.
func User(ctx context.Context, d Deps, u imageapp.User) (imageapp.User, error) {
	if u.ID == "" || u.Username == "" {
		return u, fmt.Errorf("provision: user needs an ID and a username")
	}
	existing, err := d.Users.UserByID(ctx, u.ID)
	switch {
	case err == nil && existing.Provisioned():
		return existing, nil
	case err == nil:
		u.CreatedAt = existing.CreatedAt
	case imageapp.ErrorCode(err) != imageapp.ENOTFOUND:
		return u, fmt.Errorf("provision: look up user: %w", err)
	}
	if u.CreatedAt.IsZero() {
		now := time.Now
		if d.Now != nil {
			now = d.Now
		}
		u.CreatedAt = now().UTC()
	}
	if u.KeyID, err = d.Keys.CreateUserKey(ctx, u.ID); err != nil {
		return u, fmt.Errorf("provision: create key: %w", err)
	}
	if u.Topic, err = d.Notifier.CreateUserTopic(ctx, u); err != nil {
		return u, fmt.Errorf("provision: create topic: %w", err)
	}
	if err := d.Users.PutUser(ctx, u); err != nil {
		return u, fmt.Errorf("provision: store user: %w", err)
	}
	return u, nil
}
