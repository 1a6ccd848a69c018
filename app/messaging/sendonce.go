package messaging

import (
	"context"

	"imageapp/app/imageapp"
)

// MaxSendKeyLength bounds an Idempotency-Key: a UUID is 36 characters.
const MaxSendKeyLength = 128

// ValidateSendKey checks an Idempotency-Key: 1 to MaxSendKeyLength
// printable ASCII characters without spaces. Returns EINVALID otherwise.
func ValidateSendKey(key string) error {
	ok := key != "" && len(key) <= MaxSendKeyLength
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] > ' ' && key[i] < 0x7f
	}
	if !ok {
		return imageapp.Errorf(imageapp.EINVALID,
			"The Idempotency-Key header must be 1 to %d printable characters without spaces, such as a UUID.", MaxSendKeyLength)
	}
	return nil
}

// SendOnce runs send, a send of from's, at most once per key: a send with
// a key that made a message already returns that message (replayed is
// true) and send does not run, so a client that retries a send whose
// answer it lost never stores the image twice. An empty key runs send as
// it is. Returns ECONFLICT while a send with the key still runs, EINVALID
// for a malformed key; a send that fails frees its key for the retry.
func (s *Service) SendOnce(ctx context.Context, from imageapp.User, key string, send func() (*imageapp.Message, error)) (m *imageapp.Message, replayed bool, err error) {
	if key == "" || s.SendKeys == nil {
		m, err = send()
		return m, false, err
	}
	if err := ValidateSendKey(key); err != nil {
		return nil, false, err
	}
	id, err := s.SendKeys.ClaimSendKey(ctx, from.ID, key, s.now())
	if err != nil {
		return nil, false, err
	}
	if id != "" {
		m, err := s.visible(ctx, from, id)
		return m, true, err
	}
	// The client may be gone by now (that is why it will retry): the key's
	// fate is recorded all the same.
	after := context.WithoutCancel(ctx)
	m, err = send()
	if err != nil {
		if rerr := s.SendKeys.ReleaseSendKey(after, from.ID, key); rerr != nil {
			s.log().ErrorContext(ctx, "release a send key", "sender_id", from.ID, "err", rerr) // a retry gets 409 until the claim lapses
		}
		return nil, false, err
	}
	if ferr := s.SendKeys.FinishSendKey(after, from.ID, key, m.ID); ferr != nil {
		s.log().ErrorContext(ctx, "finish a send key", "sender_id", from.ID, "message_id", m.ID, "err", ferr) // likewise
	}
	return m, false, nil
}
