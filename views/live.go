package views

import "strconv"

// liveURL is the page's event stream, resuming from since (Unix ms).
func liveURL(since int64) string {
	return "/events?since=" + strconv.FormatInt(since, 10)
}

// pageTitle is the tab's title: the unread count first, as messengers do,
// so a person sees it from any tab ("(2) Inbox · ImageApp"). app.js keeps
// the count up to date with the same format.
func pageTitle(p Page) string {
	t := p.Title + " · ImageApp"
	if p.Nav.Username != "" && p.Nav.Unread > 0 {
		t = "(" + unreadBadge(p.Nav.Unread) + ") " + t
	}
	return t
}
