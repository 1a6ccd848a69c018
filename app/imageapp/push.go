package imageapp

import (
	"context"
	"time"
)

// PushSubscription is where a browser asked to be sent Web Push messages
// (the PushSubscription of the Push API): the push service's endpoint and the
// browser's keys that encrypt what is sent there (RFC 8291).
type PushSubscription struct {
	UserID   string
	Endpoint string // an https URL of the browser's push service
	P256dh   []byte // the browser's P-256 public key, uncompressed (65 bytes)
	Auth     []byte // the browser's 16-byte authentication secret
	Created  time.Time
}

// MaxPushSubscriptions bounds the subscriptions of one user (one a browser
// profile): each new image is sent to every one of them.
const MaxPushSubscriptions = 20

// PushSubscriptions keeps the users' Web Push subscriptions.
type PushSubscriptions interface {
	// AddPushSubscription stores s, replacing the user's subscription with
	// the same endpoint. Returns EFORBIDDEN when the user has
	// MaxPushSubscriptions others.
	AddPushSubscription(ctx context.Context, s PushSubscription) error

	// PushSubscriptionsOf lists the user's subscriptions, oldest first.
	PushSubscriptionsOf(ctx context.Context, userID string) ([]PushSubscription, error)

	// RemovePushSubscription forgets the user's subscription at endpoint;
	// forgetting one that is gone is not an error.
	RemovePushSubscription(ctx context.Context, userID, endpoint string) error
}
