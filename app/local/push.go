package local

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// pushMigration adds the users' Web Push subscriptions
// (imageapp.PushSubscriptions).
const pushMigration = `CREATE TABLE push_subscriptions (
	user_id     TEXT NOT NULL,
	endpoint    TEXT NOT NULL,
	p256dh      BLOB NOT NULL,
	auth        BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (user_id, endpoint)
);`

var _ imageapp.PushSubscriptions = (*Directory)(nil)

// AddPushSubscription upserts the row if the user has room for a new one.
func (d *Directory) AddPushSubscription(ctx context.Context, s imageapp.PushSubscription) error {
	res, err := d.DB.exec(ctx, `INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)
		SELECT ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM push_subscriptions WHERE user_id = ? AND endpoint != ?) < ?
		ON CONFLICT (user_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
		s.UserID, s.Endpoint, s.P256dh, s.Auth, s.Created.UnixNano(), s.UserID, s.Endpoint, imageapp.MaxPushSubscriptions)
	if err != nil {
		return fmt.Errorf("local: add push subscription: %w", dbError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("local: add push subscription: %w", err)
	}
	if n == 0 {
		return imageapp.Errorf(imageapp.EFORBIDDEN, "Notifications are on in %d browsers already. Turn them off in one first.", imageapp.MaxPushSubscriptions)
	}
	return nil
}

// PushSubscriptionsOf lists the user's rows, oldest first.
func (d *Directory) PushSubscriptionsOf(ctx context.Context, userID string) ([]imageapp.PushSubscription, error) {
	rows, err := d.DB.query(ctx, `SELECT endpoint, p256dh, auth, created_at FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, endpoint`, userID)
	if err != nil {
		return nil, fmt.Errorf("local: push subscriptions: %w", err)
	}
	defer rows.Close()
	var out []imageapp.PushSubscription
	for rows.Next() {
		s := imageapp.PushSubscription{UserID: userID}
		var created int64
		if err := rows.Scan(&s.Endpoint, &s.P256dh, &s.Auth, &created); err != nil {
			return nil, fmt.Errorf("local: push subscriptions: %w", err)
		}
		s.Created = time.Unix(0, created).UTC()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("local: push subscriptions: %w", err)
	}
	return out, nil
}

// RemovePushSubscription deletes the row, if there.
func (d *Directory) RemovePushSubscription(ctx context.Context, userID, endpoint string) error {
	if _, err := d.DB.exec(ctx, `DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?`, userID, endpoint); err != nil {
		return fmt.Errorf("local: remove push subscription: %w", dbError(err))
	}
	return nil
}
