// Package views holds the templ components of the server-rendered pages.
// Full pages wrap their content in Layout; the fragments that htmx swaps in
// place (user search, inbox, send panel) are components of their own, so
// the handler renders the same markup either way.
package views

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"imageapp/static"
)

// Nav is what the navigation bar shows.
type Nav struct {
	Username string // "" when logged out
	Unread   int
	Active   string // "inbox", "sent", "users", "send"
}

// Flash is a one-time notice at the top of a page.
type Flash struct {
	Kind string // "ok" or "error"
	Text string
}

// Page is what every full page needs.
type Page struct {
	Title string
	Nav   Nav
	Flash *Flash
	Since int64 // when the page's data was read (Unix ms): its live stream catches up from there
}

// Form is what a person typed into an account form, to refill it after an
// error (never a password), and that error.
type Form struct {
	Username string
	Email    string
	Code     string // a reset code, kept only when the new password, not the code, was refused
	Next     string // where login goes afterwards
	Error    string
	Outbox   string // the verify page: the folder the embedded backend writes mail to, if it does
}

// Limits are the server's upload rules, shown to people before they upload.
type Limits struct {
	MaxUpload        string // e.g. "20 MiB"
	MaxUploadBytes   int64  // the same, for the send form's check before uploading
	MaxCaptionLength int
	ImageTypes       []string // content types accepted, e.g. "image/png"
}

// Person is someone in the directory.
type Person struct {
	Username string
}

// Message is a message as the pages list it.
type Message struct {
	ID       string
	FromID   string
	From     string // sender's username
	To       string // recipient's username
	SentAt   time.Time
	OpenedAt time.Time // zero until the recipient opens it
	Size     int64

	// Thumb is the image's thumbnail as a data: URL ("" when there is
	// none) and Snippet the start of its caption: its preview, which the
	// server opened for this viewer.
	Thumb   string
	Snippet string

	ViewOnce  bool      // opens once, by a POST
	ExpiresAt time.Time // zero when it is kept until deleted

	// Request: a message request to the reader, not accepted yet; it shows
	// only its type and size, and does not open.
	Request     bool
	ContentType string

	// Anchor: links into a conversation land on this image (#latest).
	Anchor bool

	// Quote is the image this one replies to, if any (views/quote.go).
	Quote *Quote

	// AlbumID is shared by the images sent together (views/album.go).
	AlbumID string
}

// Unread tells whether the recipient has not opened it yet.
func (m Message) Unread() bool { return m.OpenedAt.IsZero() }

// OpenedMessage is one message on its own page, with what opening revealed.
type OpenedMessage struct {
	Message
	Caption           string
	Filename          string
	ViewerIsRecipient bool
}

func asset(name string) string { return static.Path(name) }

// Group is one sender's messages in the inbox.
type Group struct {
	Sender   string
	Messages []Message
	Unread   int
	newest   time.Time
}

// Newest is the group's newest message, whose preview stands for it.
func (g Group) Newest() Message {
	newest := g.Messages[0]
	for _, m := range g.Messages[1:] {
		if m.SentAt.After(newest.SentAt) {
			newest = m
		}
	}
	return newest
}

// GroupBySender is the inbox rule, the same in the React client (both are
// tested against testdata/inbox_groups.json): one entry per sender; senders
// with unread messages first, then by their newest message; within a sender,
// unread first, then newest first. Ties keep the order given.
func GroupBySender(ms []Message) []Group {
	var groups []Group
	index := map[string]int{}
	for _, m := range ms {
		i, ok := index[m.FromID]
		if !ok {
			i = len(groups)
			index[m.FromID] = i
			groups = append(groups, Group{Sender: m.From})
		}
		g := &groups[i]
		g.Messages = append(g.Messages, m)
		if m.Unread() {
			g.Unread++
		}
		if m.SentAt.After(g.newest) {
			g.newest = m.SentAt
		}
	}
	for _, g := range groups {
		slices.SortStableFunc(g.Messages, func(a, b Message) int {
			return cmp.Or(compareBool(a.Unread(), b.Unread()), b.SentAt.Compare(a.SentAt))
		})
	}
	slices.SortStableFunc(groups, func(a, b Group) int {
		return cmp.Or(compareBool(a.Unread > 0, b.Unread > 0), b.newest.Compare(a.newest))
	})
	return groups
}

// compareBool orders true before false.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%d d ago", int(d.Hours()/24))
	}
	return t.Format("2 Jan 2006")
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func messageURL(id string) string { return "/messages/" + id }
func imageURL(id string) string   { return "/messages/" + id + "/image" }
func sendURL(to string) string    { return "/send?" + url.Values{"to": {to}}.Encode() }
func verifyURL(username string) string {
	return "/verify?" + url.Values{"username": {username}}.Encode()
}
func usersURL(q, cursor string) string {
	return "/users?" + url.Values{"q": {q}, "cursor": {cursor}}.Encode()
}

// ConversationURL is the page of the images exchanged with username.
func ConversationURL(username, cursor string) string {
	u := "/conversations/" + url.PathEscape(username)
	if cursor != "" {
		u += "?" + url.Values{"cursor": {cursor}}.Encode()
	}
	return u
}

func pageURL(path, cursor string) string { return path + "?" + url.Values{"cursor": {cursor}}.Encode() }

// InboxURL is an inbox page: unread messages from newCursor, or read ones
// from cursor, or the first page of both when neither is given.
func InboxURL(newCursor, cursor string) string {
	q := url.Values{}
	if newCursor != "" {
		q.Set("new", newCursor)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if len(q) == 0 {
		return "/inbox"
	}
	return "/inbox?" + q.Encode()
}

// MaxUnreadCount is where the unread count stops counting (the stores
// count at most this many).
const MaxUnreadCount = 100

// unreadBadge is the nav count.
func unreadBadge(n int) string {
	if n >= MaxUnreadCount {
		return strconv.Itoa(MaxUnreadCount-1) + "+"
	}
	return strconv.Itoa(n)
}

func unreadLabel(n int) string {
	if n >= MaxUnreadCount {
		return fmt.Sprintf("more than %d unread messages", MaxUnreadCount-1)
	}
	return plural(n, "unread message", "unread messages")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
