// Package views holds the templ components of the server-rendered pages.
// Full pages wrap their content in Layout; the fragments that htmx swaps in
// place (user search, inbox, send panel) are components of their own, so
// the handler renders the same markup either way.
package views

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"imageapp/app/imageapp"
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
}

// Form carries submitted values back into a form after an error.
type Form struct {
	Values map[string]string
	Error  string
}

// Get returns a submitted value.
func (f Form) Get(name string) string { return f.Values[name] }

func asset(name string) string { return static.Path(name) }

// Group is one sender's messages on an inbox page.
type Group struct {
	Sender   string
	Messages []*imageapp.Message
	Unread   int
}

// GroupBySender groups a page of messages by sender, groups ordered by their
// newest message, as the inbox shows them.
func GroupBySender(ms []*imageapp.Message) []Group {
	var groups []Group
	index := map[string]int{}
	for _, m := range ms {
		i, ok := index[m.SenderID]
		if !ok {
			i = len(groups)
			index[m.SenderID] = i
			groups = append(groups, Group{Sender: m.SenderName})
		}
		groups[i].Messages = append(groups[i].Messages, m)
		if m.Unread() {
			groups[i].Unread++
		}
	}
	return groups
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

// unreadBadge is the nav count; counts stop at imageapp.MaxUnreadCount.
func unreadBadge(n int) string {
	if n >= imageapp.MaxUnreadCount {
		return strconv.Itoa(imageapp.MaxUnreadCount-1) + "+"
	}
	return strconv.Itoa(n)
}

func unreadLabel(n int) string {
	if n >= imageapp.MaxUnreadCount {
		return fmt.Sprintf("more than %d unread messages", imageapp.MaxUnreadCount-1)
	}
	return plural(n, "unread message", "unread messages")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
