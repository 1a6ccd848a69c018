package views

// MaxAlbumImages is how many images one send may carry (messaging.MaxAlbumImages).
const MaxAlbumImages = 10

// Item is one entry of a conversation: an image sent alone, or an album
// (the images of one send, sharing an AlbumID), oldest first.
type Item []Message

// Items groups a conversation's messages (oldest first) into its entries:
// the neighbouring images of one album make one. A request stays an image
// of its own (it shows only its type and size).
func (v ConversationView) Items() []Item {
	var items []Item
	for _, m := range v.Messages {
		if n := len(items); n > 0 && m.AlbumID != "" && !m.Request && items[n-1][0].AlbumID == m.AlbumID {
			items[n-1] = append(items[n-1], m)
			continue
		}
		items = append(items, Item{m})
	}
	return items
}

// albumThumbs is the newest album among a conversation row's messages, if
// its newest message is of one: the images whose previews the row shows.
func albumThumbs(g Group) []Message {
	newest := g.Newest()
	if newest.AlbumID == "" {
		return nil
	}
	var album []Message
	for _, m := range g.Messages {
		if m.AlbumID == newest.AlbumID {
			album = append(album, m)
		}
	}
	return album
}

// albumLabel names an album for a screen reader: "Album of 3 images".
func albumLabel(n int) string { return "Album of " + plural(n, "image", "images") }
