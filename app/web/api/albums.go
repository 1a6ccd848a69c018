package api

import "imageapp/app/imageapp"

// sendReply is the answer to a send: {"message": …} for one image, as
// always; for an album also {"album": {"id", "messages"}}, every image in
// the order sent ("message" is its first).
func sendReply(first *imageapp.Message, album []*imageapp.Message) messageReply {
	out := messageReply{Message: messageOf(first)}
	if len(album) < 2 {
		return out
	}
	out.Album = &albumJSON{ID: first.AlbumID, Messages: make([]messageJSON, 0, len(album))}
	for _, m := range album {
		out.Album.Messages = append(out.Album.Messages, messageOf(m))
	}
	return out
}
