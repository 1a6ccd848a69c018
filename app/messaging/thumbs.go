package messaging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
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
// uses all get the key that was stored first (SetThumbKey). An unwrap (not
// a cache hit) goes in u's decrypt record as a's.
func (s *Service) thumbKey(ctx context.Context, u imageapp.User, a Access) ([]byte, error) {
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
	plain, err := s.unwrap(ctx, u.ID, imageapp.RecordPreviews, a, u.KeyID, wrapped, s.thumbKeyContext(u.ID))
	if err != nil {
		return nil, fmt.Errorf("messaging: unwrap thumbnail key: %w", err)
	}
	s.ThumbKeys.put(u.ID, wrapped, plain, now)
	return plain, nil
}

// Preview is what a list shows of a message without opening it.
type Preview struct {
	Thumb   []byte `json:"thumb,omitempty"`   // a JPEG, none when the image could not be decoded within the budget
	Caption string `json:"caption,omitempty"` // the caption's start, at most PreviewCaptionLength characters
}

// PreviewCaptionLength is how much of a caption a preview keeps.
const PreviewCaptionLength = 80

// sealPreviews seals the preview for the recipient and for the sender, each
// under their own thumbnail key; the recipient gets none of a withheld
// message. A preview is a comfort: a side whose preview cannot be sealed
// goes without one, and the log says why. job names the server's job that
// makes it, for the decrypt record of a thumbnail key it unwraps.
func (s *Service) sealPreviews(ctx context.Context, m *imageapp.Message, from, to imageapp.User, p Preview, job string) (recipient, sender []byte) {
	if r := []rune(p.Caption); len(r) > PreviewCaptionLength {
		p.Caption = string(r[:PreviewCaptionLength-1]) + "…"
	}
	raw, err := json.Marshal(p)
	if err != nil {
		s.log().WarnContext(ctx, "message goes without a preview", "message_id", m.ID, "err", err)
		return nil, nil
	}
	ec := s.contextOf(m)
	for _, side := range []struct {
		owner   imageapp.User
		purpose string
		out     *[]byte
	}{{to, envelope.PurposeRecipientPreview, &recipient}, {from, envelope.PurposeSenderPreview, &sender}} {
		if m.Withheld && side.owner.ID == to.ID {
			continue // the recipient never sees it
		}
		key, err := s.thumbKey(ctx, side.owner, jobAccess(job, imageapp.PurposePreviewKey))
		if err == nil {
			*side.out, err = envelope.SealAs(raw, key, ec, side.purpose)
		}
		if err != nil {
			s.log().WarnContext(ctx, "message goes without a preview", "message_id", m.ID, "user_id", side.owner.ID, "err", err)
		}
	}
	return recipient, sender
}

// Previews opens the previews viewer may see among msgs, by message ID: one
// thumbnail key unwrap at most, however many rows. A preview that fails to
// open is left out and logged. how names the viewer's session for the
// decrypt record of that unwrap.
func (s *Service) Previews(ctx context.Context, viewer imageapp.User, msgs []*imageapp.Message, how ...Access) map[string]Preview {
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
			if key, err = s.thumbKey(ctx, viewer, accessOf(viewer, imageapp.PurposePreviewKey, how)); err != nil {
				s.log().ErrorContext(ctx, "cannot open previews", "user_id", viewer.ID, "err", err)
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
			s.log().ErrorContext(ctx, "preview failed authentication", "message_id", m.ID, "err", err)
			continue
		}
		out[m.ID] = p
	}
	return out
}
