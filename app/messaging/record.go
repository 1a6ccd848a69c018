package messaging

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"imageapp/app/imageapp"
)

// Every key unwrap in this package goes through unwrap, which writes the
// decrypt record of the key's owner first (decryptlog): no path can open a
// key without saying who asked and why. TestOnlyUnwrapReachesKeysDecrypt
// fails when code here calls Keys.Decrypt anywhere else.

// DecryptRecorder writes decrypt records (a *decryptlog.Recorder).
type DecryptRecorder interface {
	// Record adds e to owner's record. An error means the entry may not be
	// written, and the key must not be unwrapped.
	Record(ctx context.Context, owner string, e imageapp.DecryptEntry) error
	// Forget deletes owner's record once the entries waiting are written.
	Forget(ctx context.Context, owner string) error
	// Store is where the records are kept, for reading them.
	Store() imageapp.DecryptRecord
	// PublicKey checks the records' signed heads.
	PublicKey() ed25519.PublicKey
}

// Access says who asks the server to decrypt, and why: the web layer
// names the viewer's session and device and the purpose (a view, a
// download, an export); the server's own jobs name themselves.
type Access struct {
	By      imageapp.Asker
	Purpose imageapp.DecryptPurpose
}

// accessOf is how for the viewer, or, when the caller said nothing, the
// viewer with no session named and the method's own purpose.
func accessOf(viewer imageapp.User, purpose imageapp.DecryptPurpose, how []Access) Access {
	a := Access{Purpose: purpose}
	if len(how) > 0 {
		a = how[0]
	}
	if a.Purpose == "" {
		a.Purpose = purpose
	}
	a.By.UserID, a.By.Username = viewer.ID, viewer.Username // a session only ever asks for its own user
	return a
}

// jobAccess is a server job's access.
func jobAccess(job string, purpose imageapp.DecryptPurpose) Access {
	return Access{By: imageapp.JobAsker(job), Purpose: purpose}
}

// unwrap records the unwrap of a key of owner's, then unwraps it. A record
// that cannot be written refuses the unwrap.
func (s *Service) unwrap(ctx context.Context, owner, messageID string, a Access, keyID string, wrapped []byte, encCtx map[string]string) ([]byte, error) {
	if err := s.record(ctx, owner, messageID, a, encCtx); err != nil {
		return nil, err
	}
	return s.Keys.Decrypt(ctx, keyID, wrapped, encCtx)
}

// record writes a decryption of owner's data to their record: an unwrap,
// or the preview worker's use of a send's key.
func (s *Service) record(ctx context.Context, owner, messageID string, a Access, encCtx map[string]string) error {
	if s.Record == nil {
		return nil
	}
	if a.Purpose == "" {
		return fmt.Errorf("messaging: a decryption of %s without a purpose", messageID)
	}
	err := s.Record.Record(ctx, owner, imageapp.DecryptEntry{MessageID: messageID, By: a.By, Purpose: a.Purpose, Context: encCtx})
	if err != nil {
		s.log().ErrorContext(ctx, "decrypt refused: its record cannot be written", "user_id", owner, "message_id", messageID, "err", err)
		return imageapp.Errorf(imageapp.EUNAVAILABLE, "This image cannot be opened right now. Try again in a moment.")
	}
	return nil
}
