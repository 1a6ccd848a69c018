package messaging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
	"imageapp/app/thumbnail"
)

// Thumbnails are sealed under a thumbnail key per user, not under each
// message's data key: opening a page of them then unwraps one key, not one
// per row. The key is a data key made once under the user's own key (KMS)
// and kept wrapped in their directory entry; unwrapped, it is cached in
// memory only, per user, for ThumbKeyTTL.

// ThumbKeyTTL is how long an unwrapped thumbnail key stays in memory.
const ThumbKeyTTL = 5 * time.Minute

// ThumbKeyCache holds unwrapped thumbnail keys by user ID, in memory only;
// its zero value is ready to use.
type ThumbKeyCache struct {
	mu   sync.Mutex
	keys map[string]cachedThumbKey
}

type cachedThumbKey struct {
	wrapped []byte
	plain   []byte
	until   time.Time
}

func (c *ThumbKeyCache) get(userID string, wrapped []byte, now time.Time) []byte {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[userID]
	if !ok || now.After(k.until) || !bytes.Equal(k.wrapped, wrapped) {
		return nil
	}
	return k.plain
}

func (c *ThumbKeyCache) put(userID string, wrapped, plain []byte, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil {
		c.keys = map[string]cachedThumbKey{}
	}
	for id, k := range c.keys { // expired keys leave as soon as anyone adds one
		if now.After(k.until) {
			clear(k.plain)
			delete(c.keys, id)
		}
	}
	c.keys[userID] = cachedThumbKey{wrapped: wrapped, plain: plain, until: now.Add(ThumbKeyTTL)}
}

// thumbKeyContext binds a thumbnail key to its user.
func (s *Service) thumbKeyContext(userID string) map[string]string {
	return map[string]string{"app": s.App, "user_id": userID, "purpose": "thumbnails"}
}

// thumbKey returns u's thumbnail key, making it on first use. Racing first
// uses all get the key that was stored first (SetThumbKey).
func (s *Service) thumbKey(ctx context.Context, u imageapp.User) ([]byte, error) {
	now := s.now()
	wrapped := u.ThumbKey
	if len(wrapped) == 0 {
		dk, err := s.Keys.GenerateDataKey(ctx, u.KeyID, s.thumbKeyContext(u.ID))
		if err != nil {
			return nil, fmt.Errorf("messaging: make thumbnail key: %w", err)
		}
		if wrapped, err = s.Users.SetThumbKey(ctx, u.ID, dk.Ciphertext); err != nil {
			clear(dk.Plaintext)
			return nil, fmt.Errorf("messaging: store thumbnail key: %w", err)
		}
		if bytes.Equal(wrapped, dk.Ciphertext) {
			s.ThumbKeys.put(u.ID, wrapped, dk.Plaintext, now)
			return dk.Plaintext, nil
		}
		clear(dk.Plaintext) // another send stored its key first
	}
	if plain := s.ThumbKeys.get(u.ID, wrapped, now); plain != nil {
		return plain, nil
	}
	plain, err := s.Keys.Decrypt(ctx, u.KeyID, wrapped, s.thumbKeyContext(u.ID))
	if err != nil {
		return nil, fmt.Errorf("messaging: unwrap thumbnail key: %w", err)
	}
	s.ThumbKeys.put(u.ID, wrapped, plain, now)
	return plain, nil
}

// thumbMaker makes a thumbnail from the image as the send streams it: its
// Write feeds a decoder in a goroutine, so the image is read once.
type thumbMaker struct {
	pw   *io.PipeWriter
	done chan struct{}
	jpeg []byte
	err  error
}

// thumbSlots bounds the decodes running at once: each holds a whole
// decoded image in memory.
var thumbSlots = make(chan struct{}, 4)

// startThumb starts a thumbnail of a w×h image, or returns nil when it is
// too large to decode or every slot is taken. It never waits for a slot: a
// decode lasts as long as its upload, and slow uploads must not hold up
// other people's sends; those sends go with a caption-only preview.
func (s *Service) startThumb(w, h int) *thumbMaker {
	if int64(w)*int64(h) > int64(s.thumbMaxPixels()) {
		return nil
	}
	select {
	case thumbSlots <- struct{}{}:
	default:
		s.log().Info("all thumbnail slots are busy; the message goes with a caption-only preview")
		return nil
	}
	pr, pw := io.Pipe()
	t := &thumbMaker{pw: pw, done: make(chan struct{})}
	go func() {
		defer func() { <-thumbSlots }()
		defer close(t.done)
		t.jpeg, t.err = thumbnail.Make(pr)
		// Keep reading what the decoder left (a GIF's later frames), so the
		// send's writes never block on a decoder that is done or failed.
		_, drainErr := io.Copy(io.Discard, pr)
		if t.err == nil && drainErr != nil {
			t.err = drainErr
		}
	}()
	return t
}

func (t *thumbMaker) Write(p []byte) (int, error) {
	if _, err := t.pw.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// finish ends the input and returns the thumbnail; failed is the send's
// error, if any, which stops the decoder.
func (t *thumbMaker) finish(failed error) ([]byte, error) {
	if failed != nil {
		t.pw.CloseWithError(failed)
	} else {
		t.pw.Close()
	}
	<-t.done
	return t.jpeg, t.err
}

func (s *Service) thumbMaxPixels() int {
	if s.ThumbMaxPixels > 0 {
		return s.ThumbMaxPixels
	}
	return thumbnail.DefaultMaxPixels
}

// Preview is what a list shows of a message without opening it.
type Preview struct {
	Thumb   []byte `json:"thumb,omitempty"`   // a JPEG, none when the image was too large to decode
	Caption string `json:"caption,omitempty"` // the caption's start, at most PreviewCaptionLength characters
}

// PreviewCaptionLength is how much of a caption a preview keeps.
const PreviewCaptionLength = 80

// sealPreviews seals the preview for the recipient and for the sender, each
// under their own thumbnail key. A preview is a comfort: when it cannot be
// sealed the message goes without one, and the log says why.
func (s *Service) sealPreviews(ctx context.Context, m *imageapp.Message, from, to imageapp.User, p Preview) {
	if r := []rune(p.Caption); len(r) > PreviewCaptionLength {
		p.Caption = string(r[:PreviewCaptionLength-1]) + "…"
	}
	raw, err := json.Marshal(p)
	if err != nil {
		s.log().Warn("message goes without a preview", "message_id", m.ID, "err", err)
		return
	}
	ec := s.contextOf(m)
	for _, side := range []struct {
		owner   imageapp.User
		purpose string
		out     *[]byte
	}{{to, envelope.PurposeRecipientPreview, &m.Preview}, {from, envelope.PurposeSenderPreview, &m.SenderPreview}} {
		if m.Withheld && side.owner.ID == to.ID {
			continue // the recipient never sees it
		}
		key, err := s.thumbKey(ctx, side.owner)
		if err == nil {
			*side.out, err = envelope.SealAs(raw, key, ec, side.purpose)
		}
		if err != nil {
			s.log().Warn("message goes without a preview", "message_id", m.ID, "user_id", side.owner.ID, "err", err)
		}
	}
}

// Previews opens the previews viewer may see among msgs, by message ID: one
// thumbnail key unwrap at most, however many rows. A preview that fails to
// open is left out and logged.
func (s *Service) Previews(ctx context.Context, viewer imageapp.User, msgs []*imageapp.Message) map[string]Preview {
	out := map[string]Preview{}
	var key []byte
	for _, m := range msgs {
		sealed := m.PreviewFor(viewer.ID)
		if m.Request && m.RecipientID == viewer.ID {
			continue // nothing of a request shows before it is accepted
		}
		if len(sealed) == 0 {
			continue
		}
		if key == nil {
			var err error
			if key, err = s.thumbKey(ctx, viewer); err != nil {
				s.log().Error("cannot open previews", "user_id", viewer.ID, "err", err)
				return out
			}
		}
		purpose := envelope.PurposeRecipientPreview
		if viewer.ID == m.SenderID {
			purpose = envelope.PurposeSenderPreview
		}
		var p Preview
		raw, err := envelope.OpenAs(sealed, key, s.contextOf(m), purpose)
		if err == nil {
			err = json.Unmarshal(raw, &p)
		}
		if err != nil {
			s.log().Error("preview failed authentication", "message_id", m.ID, "err", err)
			continue
		}
		out[m.ID] = p
	}
	return out
}
