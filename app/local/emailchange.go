package local

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"imageapp/app/imageapp"
)

// Changing an account's email: the new address waits in email_changes, its
// code in codes (purpose "email"), until the code comes back. Until then
// accounts.email, where reset codes and notifications go, is the old one.

const purposeEmail = "email"

const emailChangeMigration = `CREATE TABLE email_changes (
	account_id  TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
	email       TEXT NOT NULL
);`

// RequestEmailChange checks the password, stores newEmail as waiting and
// mails its code there. The new address's mail limit is a sign-up's
// (ERATELIMITED past it).
func (id *Identity) RequestEmailChange(ctx context.Context, who imageapp.Requester, username, password, newEmail string) error {
	if err := imageapp.ValidateEmail(newEmail); err != nil {
		return err
	}
	source, _, err := id.source(who)
	if err != nil {
		return err
	}
	p, err := id.login(ctx, username, password)
	if err != nil {
		return err
	}
	id.init()
	// Limited even from the owner's own browser: the new address is not
	// proven theirs, and must not be mailed without end.
	if ok, wait := id.mails.Allow(mailKey(newEmail)); !ok {
		return &imageapp.RetryLater{After: wait, Err: imageapp.ErrTooManyMails()}
	}
	code := newCode()
	err = id.DB.tx(ctx, func(tx *sql.Tx) error {
		if err := id.markRequester(ctx, tx, p.Username, purposeEmail, source, true); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO email_changes (account_id, email) VALUES (?, ?)
			ON CONFLICT (account_id) DO UPDATE SET email = excluded.email`, p.ID, newEmail)
		if err != nil {
			return dbError(err)
		}
		return id.storeCode(ctx, tx, p.ID, purposeEmail, code, true)
	})
	if err != nil {
		return err
	}
	return id.Outbox.Send(Mail{
		To:      newEmail,
		Subject: "Your ImageApp email change code",
		Body: fmt.Sprintf("Hello %s,\n\nYour ImageApp email change code is %s\n\n"+
			"Enter it on the settings page to make this your ImageApp address. It expires in 24 hours. "+
			"If you did not ask for it, ignore this email.\n", p.Username, code),
	})
}

// ConfirmEmailChange checks the password and the code (with the wrong-code
// budgets of every code) and makes the waiting address the account's.
func (id *Identity) ConfirmEmailChange(ctx context.Context, who imageapp.Requester, username, password, code string) (string, error) {
	if err := imageapp.ValidateCode(code); err != nil {
		return "", err
	}
	p, err := id.login(ctx, username, password)
	if err != nil {
		return "", err
	}
	var newEmail string
	err = id.checkCode(ctx, who, username, p.ID, purposeEmail, code, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM email_changes WHERE account_id = ? RETURNING email`, p.ID).Scan(&newEmail)
		if isNoRows(err) {
			return imageapp.ErrWrongOrExpiredCode() // cancelled in between
		}
		if err != nil {
			return dbError(err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET email = ? WHERE id = ?`, newEmail, p.ID)
		return dbError(err)
	})
	return newEmail, err
}

// CancelEmailChange drops the waiting address and its code.
func (id *Identity) CancelEmailChange(ctx context.Context, username string) error {
	return id.DB.tx(ctx, func(tx *sql.Tx) error {
		const account = `(SELECT id FROM accounts WHERE username_key = ?)`
		uk := strings.ToLower(username)
		if _, err := tx.ExecContext(ctx, `DELETE FROM codes WHERE purpose = ? AND account_id = `+account, purposeEmail, uk); err != nil {
			return dbError(err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM email_changes WHERE account_id = `+account, uk)
		return dbError(err)
	})
}

// ChangeEmail mails the security notice to the old address; the outbox
// needs no subscription, so there is nothing else to move.
func (n *Notifier) ChangeEmail(ctx context.Context, u imageapp.User, oldEmail string) error {
	if n.Outbox == nil {
		return nil
	}
	subject, body := imageapp.EmailChangedNotice(u.Email)
	return n.Outbox.Send(Mail{To: oldEmail, Subject: subject, Body: body})
}
