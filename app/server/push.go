package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"imageapp/app/imageapp"
	"imageapp/app/web/api"
	"imageapp/app/webpush"
)

// newPush is the Web Push sender over the backend's subscription store,
// signing with the deployment's VAPID key (secrets.json on the embedded
// backend; IMAGEAPP_VAPID_KEY in AWS mode). Without a key (AWS mode with
// none set) it returns nil: push is off, and the clients hide its toggle.
func newPush(cfg Config, b *backend, client *http.Client) (*webpush.Sender, error) {
	key := b.vapidKey
	if cfg.VAPIDKey != "" {
		key = cfg.VAPIDKey
	}
	if key == "" {
		return nil, nil
	}
	k, err := webpush.ParseKey(key)
	if err != nil {
		return nil, fmt.Errorf("IMAGEAPP_VAPID_KEY: %w", err)
	}
	return &webpush.Sender{Store: b.Push, Key: k, Contact: cfg.PublicURL(), Client: client, Now: cfg.Now}, nil
}

// pusher is the messaging service's Pusher over the sender: the message
// names the sender and the conversation to open, nothing of the image.
type pusher struct{ s *webpush.Sender }

func (p pusher) PushNewImage(ctx context.Context, to imageapp.User, sender string) error {
	return p.s.Send(ctx, to.ID, newImageMessage(sender))
}

// newImageMessage is what the service worker (static/sw.js) shows, as the
// open tabs do (static/notify.js): tagged like theirs, so a push and an
// in-tab notification for one sender replace each other. The worker a
// React tab registered opens the React route of the same conversation.
func newImageMessage(sender string) webpush.Message {
	return webpush.Message{
		Title: "New image from " + sender,
		URL:   "/conversations/" + url.PathEscape(sender),
		Tag:   "from:" + sender,
	}
}

// webPush is the sender as the JSON routes take it: nil when push is off.
func webPush(s *webpush.Sender) api.Push {
	if s == nil {
		return nil
	}
	return s
}
