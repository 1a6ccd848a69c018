package views

import "github.com/a-h/templ"

// viewerAttrs hook a conversation's image into the full-screen viewer
// (static/viewer.js): the image it opens, its name, and for an unread image
// of the other person's, the message page, which marks it read when the
// viewer shows it. A view-once image gets none: it opens only by its
// message page's "Open it now", never by the viewer or its prefetch.
func viewerAttrs(m Message, mine bool) templ.Attributes {
	if m.ViewOnce {
		return nil
	}
	a := templ.Attributes{"data-viewer": imageURL(m.ID), "data-viewer-alt": viewerAlt(m, mine)}
	if !mine && m.Unread() {
		a["data-viewer-read"] = messageURL(m.ID)
	}
	return a
}

func viewerAlt(m Message, mine bool) string {
	who := "Image from " + m.From
	if mine {
		who = "Image you sent"
	}
	if m.Snippet != "" {
		return who + ": " + m.Snippet
	}
	return who
}
