package local

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// requestsMigration adds message requests: the setting (1 when a user
// accepts images only from people they know), each user's contacts, and
// the request flag of a message. A request stays out of the inbox queries
// and the unread count; the partial index lists a recipient's requests.
const requestsMigration = `ALTER TABLE users ADD COLUMN message_requests INTEGER NOT NULL DEFAULT 0;
CREATE TABLE contacts (
	user_id     TEXT NOT NULL,
	contact_id  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (user_id, contact_id)
);
ALTER TABLE messages ADD COLUMN request INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_requests ON messages (recipient_id, created_at DESC, id DESC) WHERE request = 1;`

// AddContact records that userID knows contactID.
func (d *Directory) AddContact(ctx context.Context, userID, contactID string) error {
	var known, n int
	err := d.DB.queryRow(ctx, `SELECT
		(SELECT count(*) FROM contacts WHERE user_id = ? AND contact_id = ?),
		(SELECT count(*) FROM contacts WHERE user_id = ?)`, userID, contactID, userID).Scan(&known, &n)
	if err != nil {
		return fmt.Errorf("local: count contacts: %w", err)
	}
	if known > 0 {
		return nil
	}
	if n >= imageapp.MaxContacts {
		return imageapp.Errorf(imageapp.EINVALID, "At most %d contacts are kept.", imageapp.MaxContacts)
	}
	_, err = d.DB.exec(ctx, `INSERT INTO contacts (user_id, contact_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, userID, contactID, time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("local: add contact: %w", dbError(err))
	}
	return nil
}

// Knows reports whether contactID is one of userID's contacts.
func (d *Directory) Knows(ctx context.Context, userID, contactID string) (bool, error) {
	var n int
	err := d.DB.queryRow(ctx, `SELECT count(*) FROM contacts WHERE user_id = ? AND contact_id = ?`, userID, contactID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("local: knows: %w", err)
	}
	return n > 0, nil
}

// AcceptRequests clears the request flag of senderID's requests to
// recipientID: they are unread inbox messages from then on.
func (s *Messages) AcceptRequests(ctx context.Context, recipientID, senderID string) (int, error) {
	res, err := s.DB.exec(ctx, `UPDATE messages SET request = 0 WHERE recipient_id = ? AND sender_id = ? AND request = 1`,
		recipientID, senderID)
	if err != nil {
		return 0, fmt.Errorf("local: accept requests: %w", dbError(err))
	}
	n, err := res.RowsAffected()
	return int(n), err
}
