package api

import (
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web"
)

// personJSON is someone as others see them.
type personJSON struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// accountJSON is the logged-in person as they see themselves.
type accountJSON struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

// newAccountJSON is an account that sign-up or confirmation just touched.
type newAccountJSON struct {
	Username  string `json:"username"`
	Email     string `json:"email,omitempty"`
	Confirmed bool   `json:"confirmed"`
}

type newAccountReply struct {
	User newAccountJSON `json:"user"`
	// SignedIn: confirming the code signed this browser in (it signed up).
	SignedIn bool `json:"signed_in,omitempty"`
	// Outbox: where the code is when this server writes mail to its outbox
	// folder instead of sending it (the embedded backend); the verify page
	// says the same.
	Outbox string `json:"outbox,omitempty"`
}

type accountReply struct {
	User accountJSON `json:"user"`
}

// sentReply answers a request that mailed something.
type sentReply struct {
	Sent bool `json:"sent"`
}

// limitsJSON are the server's limits, so clients check before uploading.
type limitsJSON struct {
	MaxUploadBytes   int64    `json:"max_upload_bytes"`
	MaxCaptionLength int      `json:"max_caption_length"`
	ImageTypes       []string `json:"image_types"`
}

type meReply struct {
	User    accountJSON `json:"user"`
	Unread  int         `json:"unread"`
	Limits  limitsJSON  `json:"limits"`
	Storage storageJSON `json:"storage"`
}

type peopleReply struct {
	Users      []personJSON `json:"users"`
	NextCursor string       `json:"next_cursor"`
}

type messageJSON struct {
	ID          string     `json:"id"`
	From        personJSON `json:"from"`
	To          personJSON `json:"to"`
	SentAt      string     `json:"sent_at"`
	ReadAt      *string    `json:"read_at"` // null until the recipient opens it
	ContentType string     `json:"content_type"`
	Size        int64      `json:"size"`
	Thumbnail   string     `json:"thumbnail,omitempty"` // a data: URL of a JPEG, in lists only
	Snippet     string     `json:"snippet,omitempty"`   // the caption's start, in lists only
	ViewOnce    bool       `json:"view_once"`           // opens once, by POST …/view
	ExpiresAt   *string    `json:"expires_at"`          // null when kept until deleted
	Request     bool       `json:"request"`             // a message request to the viewer: no preview, does not open
	AlbumID     string     `json:"album_id,omitempty"`  // shared by the images sent together; absent on one sent alone
	QuoteID     string     `json:"quote_id,omitempty"`  // the image this one replies to (it may be gone since)
	// In a conversation: the quoted image's thumbnail, or quote_gone once
	// it is deleted, expired or viewed once ("Original image is gone").
	QuoteThumbnail string `json:"quote_thumbnail,omitempty"`
	QuoteGone      bool   `json:"quote_gone,omitempty"`
}

// openedJSON is one message with what only opening it reveals.
type openedJSON struct {
	messageJSON
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	ImageURL string `json:"image_url"`
}

type messageReply struct {
	Message messageJSON `json:"message"`
	Album   *albumJSON  `json:"album,omitempty"` // a send of several images: all of them (message is the first)
}

// albumJSON is the images of one send, in the order they were sent.
type albumJSON struct {
	ID       string        `json:"id"`
	Messages []messageJSON `json:"messages"`
}

type openedReply struct {
	Message openedJSON `json:"message"`
}

// conversationReply is a page of the images exchanged with someone,
// oldest first; next_cursor pages back to earlier ones.
type conversationReply struct {
	With       personJSON    `json:"with"`
	Messages   []messageJSON `json:"messages"`
	NextCursor string        `json:"next_cursor"`
}

type messagesReply struct {
	Messages   []messageJSON `json:"messages"`
	NextCursor string        `json:"next_cursor"`
	Unread     int           `json:"unread"`
}

func personOf(u imageapp.User) personJSON { return personJSON{ID: u.ID, Username: u.Username} }

func accountOf(u imageapp.User) accountJSON {
	return accountJSON{ID: u.ID, Username: u.Username, Email: u.Email}
}

func messageOf(m *imageapp.Message) messageJSON {
	out := messageJSON{
		ID:          m.ID,
		From:        personJSON{ID: m.SenderID, Username: m.SenderName},
		To:          personJSON{ID: m.RecipientID, Username: m.RecipientName},
		SentAt:      m.CreatedAt.Format(time.RFC3339),
		ContentType: m.ContentType,
		QuoteID:     m.QuoteID,
		Size:        m.Size,
		ViewOnce:    m.ViewOnce,
		AlbumID:     m.AlbumID,
	}
	if !m.ReadAt.IsZero() {
		at := m.ReadAt.Format(time.RFC3339)
		out.ReadAt = &at
	}
	if !m.ExpiresAt.IsZero() {
		at := m.ExpiresAt.Format(time.RFC3339)
		out.ExpiresAt = &at
	}
	return out
}

// listedOf is a message as viewerID lists it: marked when it is a request
// waiting for them (never to its sender, who is not told).
func listedOf(m *imageapp.Message, viewerID string) messageJSON {
	out := messageOf(m)
	out.Request = m.Request && m.RecipientID == viewerID
	return out
}

func openedOf(m *messaging.Opened) openedJSON {
	out := openedJSON{messageJSON: messageOf(m.Message), Caption: web.DisplayText(m.Caption), Filename: web.DisplayText(m.Filename),
		ImageURL: "/api/messages/" + m.ID + "/image"}
	if m.ViewOnce {
		out.ImageURL = "" // it shows only in the answer to POST …/view
	}
	return out
}
