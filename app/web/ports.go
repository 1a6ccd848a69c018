package web

import (
	"context"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// The services as the core uses them: the sessions behind the cookies, and
// the steps a page and its JSON twin share.

// Sessions are the logins behind the session cookies.
type Sessions interface {
	ActiveSession(ctx context.Context, id, username, sid string, version int64) (imageapp.User, imageapp.Session, error)
	StartSession(ctx context.Context, u imageapp.User, sess imageapp.Session) error
	TouchSession(ctx context.Context, u imageapp.User, sid string, at time.Time) error
	EndSession(ctx context.Context, u imageapp.User, sid string) error
	ListSessions(ctx context.Context, u imageapp.User) ([]imageapp.Session, error)
}

// Accounts is the account service: the sessions, and what a person does to
// their account.
type Accounts interface {
	Sessions
	SignUp(ctx context.Context, who imageapp.Requester, in imageapp.SignUpInput) error
	Confirm(ctx context.Context, who imageapp.Requester, username, code string) error
	ConfirmedUser(ctx context.Context, username string) (imageapp.User, error)
	ResendCode(ctx context.Context, who imageapp.Requester, username string) error
	Login(ctx context.Context, who imageapp.Requester, username, password string) (imageapp.User, error)
	ForgotPassword(ctx context.Context, who imageapp.Requester, username string) error
	ResetPassword(ctx context.Context, who imageapp.Requester, username, code, password string) error
	ChangePassword(ctx context.Context, u imageapp.User, current, newPassword string) (imageapp.User, error)
	RequestEmailChange(ctx context.Context, who imageapp.Requester, u imageapp.User, password, newEmail string) error
	ConfirmEmailChange(ctx context.Context, who imageapp.Requester, u imageapp.User, password, code string) (imageapp.User, error)
	CancelEmailChange(ctx context.Context, u imageapp.User) error
	DeleteAccount(ctx context.Context, who imageapp.Requester, u imageapp.User, password string) error
	People(ctx context.Context, viewer imageapp.User, search, cursor string) (imageapp.UserPage, error)
}

// Messaging is the messaging service as the shared steps use it.
type Messaging interface {
	Send(ctx context.Context, from imageapp.User, in messaging.SendInput) (*imageapp.Message, error)
	SendAlbum(ctx context.Context, from imageapp.User, in messaging.AlbumInput) ([]*imageapp.Message, error)
	SendOnce(ctx context.Context, from imageapp.User, key string, send func() (*imageapp.Message, error)) (m *imageapp.Message, replayed bool, err error)
	Conversation(ctx context.Context, viewer imageapp.User, with, cursor string, limit int) (imageapp.User, imageapp.MessagePage, error)
	Previews(ctx context.Context, viewer imageapp.User, msgs []*imageapp.Message, how ...messaging.Access) map[string]messaging.Preview
	SetBlocked(ctx context.Context, viewer imageapp.User, username string, blocked bool) (imageapp.User, error)
	AcceptRequests(ctx context.Context, viewer imageapp.User, username string) (imageapp.User, int, error)
	DeleteRequests(ctx context.Context, viewer imageapp.User, username string) (imageapp.User, int, error)
	BlockRequests(ctx context.Context, viewer imageapp.User, username string) (imageapp.User, int, error)
	ResendMailConfirmation(ctx context.Context, u imageapp.User) error
	UnreadCount(ctx context.Context, viewer imageapp.User) (int, error)
}
