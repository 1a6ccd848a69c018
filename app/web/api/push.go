package api

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/app/web"
)

// Push is the Web Push sender (package webpush) as the JSON routes use it:
// the key browsers subscribe with, and the person's subscriptions.
type Push interface {
	PublicKey() (string, error)
	Subscribe(ctx context.Context, u imageapp.User, endpoint, p256dh, auth string) error
	Unsubscribe(ctx context.Context, u imageapp.User, endpoint string) error
}

// WithPush gives the handlers the Web Push sender; without it (nil) the
// push routes answer that push is not set up here.
func (s *Handlers) WithPush(p Push) *Handlers {
	s.push = p
	return s
}

// maxPushBody bounds a subscription as the browser's
// PushSubscription.toJSON() gives it: an endpoint of at most 2048
// characters and two short keys fit with room to spare.
const maxPushBody = 4 << 10

// pushSubscription is PushSubscription.toJSON(): the endpoint and keys;
// DELETE needs the endpoint only.
type pushSubscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

type pushKeyReply struct {
	Key string `json:"key"` // the VAPID public key, base64url: the applicationServerKey
}

func errNoPush() error {
	return imageapp.Errorf(imageapp.ENOTFOUND, "Notifications with no tab open are not set up on this server; notifications while a tab is open still work.")
}

// PushKey is GET /api/push/key: the VAPID public key browsers subscribe
// with.
func (s *Handlers) PushKey(w http.ResponseWriter, r *http.Request) {
	if s.push == nil {
		s.JSONError(w, r, errNoPush())
		return
	}
	k, err := s.push.PublicKey()
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, pushKeyReply{Key: k})
}

// readPushSubscription reads a subscription: JSON only, at most
// maxPushBody, with an endpoint (and keys, when keys says so).
func readPushSubscription(w http.ResponseWriter, r *http.Request, keys bool) (pushSubscription, error) {
	var p pushSubscription
	if ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ctype != "application/json" {
		return p, imageapp.Errorf(imageapp.EUNSUPPORTED, "Send the browser's push subscription as JSON (application/json).")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPushBody)
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		return p, web.BodyError(web.FormTooLarge(err), "The request body is not valid JSON.")
	}
	if p.Endpoint == "" {
		return p, imageapp.Errorf(imageapp.EINVALID, "Send the subscription's \"endpoint\" (PushSubscription.toJSON()).")
	}
	if keys && (p.Keys.P256dh == "" || p.Keys.Auth == "") {
		return p, imageapp.Errorf(imageapp.EINVALID, "Send the subscription's \"keys\" with \"p256dh\" and \"auth\" (PushSubscription.toJSON()).")
	}
	return p, nil
}

// PushSubscribe is POST /api/me/push: this browser's subscription is kept,
// and each new image is pushed to it. The sender checks the endpoint
// (https) and the keys, and refuses past imageapp.MaxPushSubscriptions.
func (s *Handlers) PushSubscribe(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if s.push == nil {
		s.JSONError(w, r, errNoPush())
		return
	}
	p, err := readPushSubscription(w, r, true)
	if err == nil {
		err = s.Limit(r, "push-subscribe", u.Username)
	}
	if err == nil {
		err = s.push.Subscribe(r.Context(), u, p.Endpoint, p.Keys.P256dh, p.Keys.Auth)
	}
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PushUnsubscribe is DELETE /api/me/push: the subscription at the
// endpoint is forgotten (none there is no error).
func (s *Handlers) PushUnsubscribe(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if s.push == nil {
		s.JSONError(w, r, errNoPush())
		return
	}
	p, err := readPushSubscription(w, r, false)
	if err == nil {
		err = s.push.Unsubscribe(r.Context(), u, p.Endpoint)
	}
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
