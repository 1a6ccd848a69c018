// Package webpush sends Web Push messages to the browsers people turned
// notifications on in, so a new image reaches them with no tab open: the
// payload encrypted for the browser (RFC 8291, aes128gcm), the request
// signed for the push service with the app's VAPID key (RFC 8292), and a
// subscription the push service says is gone (404, 410) dropped.
//
// The payload names the sender and where to open the conversation; a
// caption goes in only when the recipient chose to show it.
package webpush

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"imageapp/app/imageapp"
)

// Message is what the service worker shows: a system notification.
type Message struct {
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
	URL   string `json:"url"` // the page a click opens
	Tag   string `json:"tag"` // notifications with the same tag replace each other: one per sender
}

// NewImage is the message for an image from sender, opened at url. The
// caption goes in only with showCaption (the recipient's choice).
func NewImage(sender, url, caption string, showCaption bool) Message {
	m := Message{Title: sender + " sent you an image", URL: url, Tag: "from:" + sender}
	if showCaption {
		m.Body = caption
	}
	return m
}

// Sender posts messages to subscriptions.
type Sender struct {
	Store imageapp.PushSubscriptions

	// Key is the app's VAPID key (ES256); browsers are given its public
	// half (PublicKey) when they subscribe. Contact is the "sub" claim, a
	// mailto: or https: URL the push services can reach the operator at.
	Key     *ecdsa.PrivateKey
	Contact string

	// Client posts to the push services: NewClient's, which will not
	// reach loopback or private addresses (an endpoint is a URL a browser
	// gave us, so anyone can choose it).
	Client *http.Client
	TTL    time.Duration // how long a push service keeps an undelivered message
	Now    func() time.Time
}

// PublicKey is the VAPID public key as the Push API's
// applicationServerKey wants it: base64url of the uncompressed point.
func (s *Sender) PublicKey() (string, error) {
	pub, err := s.Key.PublicKey.ECDH()
	if err != nil {
		return "", fmt.Errorf("webpush: VAPID key: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(pub.Bytes()), nil
}

// Subscribe stores a browser's subscription for u, as the page's
// PushSubscription.toJSON() gives it. Returns EINVALID for an endpoint that
// is not https or keys that are not a browser's, EFORBIDDEN past
// MaxPushSubscriptions.
func (s *Sender) Subscribe(ctx context.Context, u imageapp.User, endpoint, p256dh, auth string) error {
	sub := imageapp.PushSubscription{UserID: u.ID, Endpoint: endpoint, Created: s.now().UTC()}
	ep, err := url.Parse(endpoint)
	if err != nil || ep.Scheme != "https" || ep.Host == "" || ep.User != nil || len(endpoint) > 2048 {
		return imageapp.Errorf(imageapp.EINVALID, "That browser's push address is not one we can use.")
	}
	if sub.P256dh, err = base64.RawURLEncoding.DecodeString(p256dh); err == nil {
		_, err = ecdh.P256().NewPublicKey(sub.P256dh)
	}
	if err != nil {
		return imageapp.Errorf(imageapp.EINVALID, "That browser's push keys are not valid.")
	}
	if sub.Auth, err = base64.RawURLEncoding.DecodeString(auth); err != nil || len(sub.Auth) != 16 {
		return imageapp.Errorf(imageapp.EINVALID, "That browser's push keys are not valid.")
	}
	return s.Store.AddPushSubscription(ctx, sub)
}

// Unsubscribe forgets u's subscription at endpoint.
func (s *Sender) Unsubscribe(ctx context.Context, u imageapp.User, endpoint string) error {
	return s.Store.RemovePushSubscription(ctx, u.ID, endpoint)
}

// Send posts m to every subscription of the user and drops those the push
// service says are gone. It returns the first other failure, after trying
// them all.
func (s *Sender) Send(ctx context.Context, userID string, m Message) error {
	subs, err := s.Store.PushSubscriptionsOf(ctx, userID)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("webpush: encode: %w", err)
	}
	var first error
	for _, sub := range subs {
		err := s.post(ctx, sub, payload)
		if errors.Is(err, errGone) {
			err = s.Store.RemovePushSubscription(ctx, sub.UserID, sub.Endpoint)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

var errGone = errors.New("webpush: subscription gone")

// post encrypts payload for sub and posts it with a VAPID signature.
func (s *Sender) post(ctx context.Context, sub imageapp.PushSubscription, payload []byte) error {
	asKey, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("webpush: one-time key: %w", err)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	body, err := encrypt(payload, sub.P256dh, sub.Auth, asKey, salt)
	if err != nil {
		return err
	}
	auth, err := s.vapid(sub.Endpoint)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webpush: request: %w", err)
	}
	ttl := s.TTL
	if ttl == 0 {
		ttl = 24 * time.Hour
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("TTL", strconv.Itoa(int(ttl.Seconds())))
	req.Header.Set("Urgency", "normal")
	resp, err := s.client().Do(req)
	if err != nil {
		// The error names the endpoint's host, never its path: the path is
		// the browser's push token.
		return fmt.Errorf("webpush: post to %s: %w", req.URL.Host, unwrapURLError(err))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return errGone
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	}
	return fmt.Errorf("webpush: %s answered %d", req.URL.Host, resp.StatusCode)
}

// unwrapURLError drops the URL (and its token) from a client error.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// vapid is the Authorization header of RFC 8292: a JWT for the endpoint's
// origin, signed with the app's key, and that key.
func (s *Sender) vapid(endpoint string) (string, error) {
	ep, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("webpush: endpoint: %w", err)
	}
	now := s.now()
	token, err := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"aud": ep.Scheme + "://" + ep.Host,
		"exp": now.Add(12 * time.Hour).Unix(),
		"sub": s.Contact,
	}).SignedString(s.Key)
	if err != nil {
		return "", fmt.Errorf("webpush: sign VAPID token: %w", err)
	}
	k, err := s.PublicKey()
	if err != nil {
		return "", err
	}
	return "vapid t=" + token + ", k=" + k, nil
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return NewClient()
}

// NewClient is a client for push services: it connects only to public
// addresses, whatever a name resolves to, and gives up after 10 seconds.
func NewClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: publicOnly}
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: 5 * time.Second, Proxy: nil},
		// A push service answers; it does not send us elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// publicOnly refuses a connection to a loopback, private, link-local or
// unspecified address, checked on the address actually dialled.
func publicOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() {
		return fmt.Errorf("webpush: refusing to connect to %s: not a public address", host)
	}
	return nil
}
