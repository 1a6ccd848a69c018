package api

import (
	"context"
	"crypto/ed25519"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// The services as the JSON API uses them; the steps it shares with the
// pages (log in, send, block…) go through the core, web.Server.

// Accounts is what the API asks of the account service.
type Accounts interface {
	SetPrivacy(ctx context.Context, viewer imageapp.User, p imageapp.Privacy) error
	EndOtherSessions(ctx context.Context, u imageapp.User, current string) error
}

// Messaging is what the API asks of the messaging service.
type Messaging interface {
	List(ctx context.Context, viewer imageapp.User, q imageapp.MessageQuery) (imageapp.MessagePage, error)
	Previews(ctx context.Context, viewer imageapp.User, msgs []*imageapp.Message, how ...messaging.Access) map[string]messaging.Preview
	Quoted(ctx context.Context, viewer imageapp.User, msgs []*imageapp.Message, how ...messaging.Access) (map[string]*imageapp.Message, map[string]messaging.Preview, error)
	Open(ctx context.Context, viewer imageapp.User, id string, how ...messaging.Access) (*messaging.Opened, error)
	OpenImage(ctx context.Context, viewer imageapp.User, id string, how ...messaging.Access) (*messaging.Image, error)
	ViewOnce(ctx context.Context, viewer imageapp.User, id string, how ...messaging.Access) (*messaging.Opened, *messaging.Image, error)
	Delete(ctx context.Context, viewer imageapp.User, id string) error
	StorageOf(ctx context.Context, viewer imageapp.User) (messaging.Storage, error)
	UnreadCount(ctx context.Context, viewer imageapp.User) (int, error)

	BlockedPeople(ctx context.Context, viewer imageapp.User) ([]imageapp.User, error)
	Requests(ctx context.Context, viewer imageapp.User) ([]messaging.Request, error)

	MailState(ctx context.Context, u imageapp.User) (imageapp.MailState, error)
	StartExport(ctx context.Context, u imageapp.User, how ...messaging.Access) (*messaging.Export, error)

	DecryptRecord(ctx context.Context, viewer imageapp.User, before int64, loc *time.Location) (messaging.RecordPage, error)
	RecordKey() (ed25519.PublicKey, error)
}
