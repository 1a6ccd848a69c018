package local

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"imageapp/app/imageapp"
)

// Identity keeps accounts in SQLite: argon2id password hashes, and
// confirmation and reset codes mailed to the outbox and stored only as keyed
// hashes. After confirmation it calls PostConfirm, the same provisioning the
// Cognito trigger runs in AWS mode.
type Identity struct {
	DB          *DB
	Outbox      *Outbox
	Pepper      []byte // keys the code hashes, so a stolen database does not yield codes
	PostConfirm func(ctx context.Context, u imageapp.User) error
	Log         *slog.Logger
	Now         func() time.Time
}

var _ imageapp.Identity = (*Identity)(nil)

const (
	codeTTL         = 24 * time.Hour
	maxCodeAttempts = 5 // wrong tries that kill one code
	// maxCodeFailures wrong tries per account and purpose within
	// codeFailureWindow, over all codes sent. Without it every new code brings
	// 5 fresh guesses, and a script alternating "forgot" and "reset" gets
	// thousands of guesses at a 6-digit code a day.
	maxCodeFailures   = 20
	codeFailureWindow = 24 * time.Hour
	purposeConfirm    = "confirm"
	purposeReset      = "reset"
)

func (id *Identity) now() time.Time {
	if id.Now != nil {
		return id.Now().UTC()
	}
	return time.Now().UTC()
}

type account struct {
	ID, Username, Email, PasswordHash string
	Confirmed                         bool
}

func (id *Identity) account(ctx context.Context, username string) (account, error) {
	var a account
	var confirmed sql.NullInt64
	err := id.DB.db.QueryRowContext(ctx, `SELECT id, username, email, password_hash, confirmed_at FROM accounts WHERE username_key = ?`,
		strings.ToLower(username)).Scan(&a.ID, &a.Username, &a.Email, &a.PasswordHash, &confirmed)
	if isNoRows(err) {
		return a, imageapp.ErrNoAccount(username)
	}
	if err != nil {
		return a, fmt.Errorf("local: identity: %w", err)
	}
	a.Confirmed = confirmed.Valid
	return a, nil
}

// SignUp creates an unconfirmed account and mails a confirmation code.
func (id *Identity) SignUp(ctx context.Context, in imageapp.SignUpInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	a := account{ID: newUUID(), Username: in.Username, Email: in.Email, PasswordHash: hashPassword(in.Password)}
	code := newCode()
	err := id.DB.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, username, username_key, email, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, a.ID, a.Username, strings.ToLower(a.Username), a.Email, a.PasswordHash, id.now().UnixNano())
		if isUniqueViolation(err) {
			return imageapp.ErrUsernameTaken(in.Username)
		}
		if err != nil {
			return dbError(err)
		}
		return id.storeCode(ctx, tx, a.ID, purposeConfirm, code)
	})
	if err != nil {
		return err
	}
	return id.mailCode(a, purposeConfirm, code)
}

// Confirm checks the code, confirms the account and provisions the user.
func (id *Identity) Confirm(ctx context.Context, username, code string) error {
	if err := imageapp.ValidateCode(code); err != nil {
		return err
	}
	a, err := id.account(ctx, username)
	if err != nil {
		return err
	}
	if a.Confirmed {
		return nil // confirming twice is harmless: the second click of a double submit
	}
	err = id.withCode(ctx, a.ID, purposeConfirm, code, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET confirmed_at = ? WHERE id = ?`, id.now().UnixNano(), a.ID)
		return dbError(err)
	})
	if err != nil {
		return err
	}
	if id.PostConfirm != nil {
		u := imageapp.User{ID: a.ID, Username: a.Username, Email: a.Email}
		if err := id.PostConfirm(ctx, u); err != nil {
			// The account is confirmed; the app provisions lazily on first use.
			id.log().Error("post-confirmation provisioning failed", "user_id", a.ID, "err", err)
		}
	}
	return nil
}

// ResendCode replaces the confirmation code.
func (id *Identity) ResendCode(ctx context.Context, username string) error {
	a, err := id.account(ctx, username)
	if err != nil {
		return err
	}
	if a.Confirmed {
		return imageapp.ErrAlreadyConfirmed()
	}
	code := newCode()
	if err := id.DB.tx(ctx, func(tx *sql.Tx) error { return id.storeCode(ctx, tx, a.ID, purposeConfirm, code) }); err != nil {
		return err
	}
	return id.mailCode(a, purposeConfirm, code)
}

// dummyHash is compared against for unknown usernames, so the answer takes as
// long as for a real account.
var dummyHash = hashPassword("not-a-real-password-only-for-timing")

// Login checks the password; unknown users and wrong passwords get one answer.
func (id *Identity) Login(ctx context.Context, username, password string) (imageapp.Principal, error) {
	a, err := id.account(ctx, username)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		checkPassword(dummyHash, password)
		return imageapp.Principal{}, imageapp.ErrWrongLogin()
	} else if err != nil {
		return imageapp.Principal{}, err
	}
	if !checkPassword(a.PasswordHash, password) {
		return imageapp.Principal{}, imageapp.ErrWrongLogin()
	}
	if !a.Confirmed {
		return imageapp.Principal{}, imageapp.ErrUnconfirmed()
	}
	return imageapp.Principal{ID: a.ID, Username: a.Username, Email: a.Email}, nil
}

// ForgotPassword mails a reset code; unknown usernames get the same answer.
func (id *Identity) ForgotPassword(ctx context.Context, username string) error {
	a, err := id.account(ctx, username)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	code := newCode()
	if err := id.DB.tx(ctx, func(tx *sql.Tx) error { return id.storeCode(ctx, tx, a.ID, purposeReset, code) }); err != nil {
		return err
	}
	return id.mailCode(a, purposeReset, code)
}

// ResetPassword sets a new password when the reset code is right.
func (id *Identity) ResetPassword(ctx context.Context, username, code, newPassword string) error {
	if err := imageapp.ValidateCode(code); err != nil {
		return err
	}
	if err := imageapp.ValidatePassword(newPassword); err != nil {
		return err
	}
	a, err := id.account(ctx, username)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return imageapp.ErrWrongOrExpiredCode()
	} else if err != nil {
		return err
	}
	return id.withCode(ctx, a.ID, purposeReset, code, func(tx *sql.Tx) error {
		// A reset proves the email, so it confirms an unconfirmed account too.
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ?, confirmed_at = coalesce(confirmed_at, ?) WHERE id = ?`,
			hashPassword(newPassword), id.now().UnixNano(), a.ID)
		return dbError(err)
	})
}

func (id *Identity) storeCode(ctx context.Context, tx *sql.Tx, accountID, purpose, code string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO codes (account_id, purpose, code_hash, expires_at, attempts) VALUES (?, ?, ?, ?, 0)
		ON CONFLICT (account_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0`,
		accountID, purpose, id.codeHash(accountID, purpose, code), id.now().Add(codeTTL).UnixNano())
	return dbError(err)
}

// withCode runs fn in the transaction that consumes the code, if the code
// matches. A wrong try is counted (and committed), and after maxCodeAttempts
// the code is dead even if the next guess is right.
func (id *Identity) withCode(ctx context.Context, accountID, purpose, code string, fn func(*sql.Tx) error) error {
	var codeErr error
	err := id.DB.tx(ctx, func(tx *sql.Tx) error {
		var stored []byte
		var expires, failuresSince int64
		var attempts, failures int
		err := tx.QueryRowContext(ctx, `SELECT code_hash, expires_at, attempts, failures, failures_since FROM codes WHERE account_id = ? AND purpose = ?`,
			accountID, purpose).Scan(&stored, &expires, &attempts, &failures, &failuresSince)
		now := id.now().UnixNano()
		switch {
		case isNoRows(err):
			codeErr = imageapp.ErrWrongOrExpiredCode()
			return nil
		case err != nil:
			return err
		case failures >= maxCodeFailures && now-failuresSince < int64(codeFailureWindow):
			wait := time.Duration(failuresSince + int64(codeFailureWindow) - now)
			codeErr = &imageapp.RetryLater{After: wait, Err: imageapp.Errorf(imageapp.ERATELIMITED,
				"Too many wrong codes for this account today. Try again in %d hours.", int(math.Ceil(wait.Hours())))}
			return nil
		case attempts >= maxCodeAttempts:
			codeErr = imageapp.ErrTooManyWrongCodes()
			return nil
		case now > expires:
			codeErr = imageapp.ErrCodeExpired()
			return nil
		case subtle.ConstantTimeCompare(stored, id.codeHash(accountID, purpose, code)) != 1:
			codeErr = imageapp.ErrWrongCode()
			if now-failuresSince >= int64(codeFailureWindow) {
				failures, failuresSince = 0, now // a new window
			}
			_, err := tx.ExecContext(ctx, `UPDATE codes SET attempts = attempts + 1, failures = ?, failures_since = ?
				WHERE account_id = ? AND purpose = ?`, failures+1, failuresSince, accountID, purpose)
			return dbError(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM codes WHERE account_id = ? AND purpose = ?`, accountID, purpose); err != nil {
			return dbError(err)
		}
		return fn(tx)
	})
	if err != nil {
		return err
	}
	return codeErr
}

func (id *Identity) codeHash(accountID, purpose, code string) []byte {
	mac := hmac.New(sha256.New, id.Pepper)
	fmt.Fprintf(mac, "%s|%s|%s", accountID, purpose, code)
	return mac.Sum(nil)
}

func (id *Identity) mailCode(a account, purpose, code string) error {
	m := Mail{To: a.Email}
	switch purpose {
	case purposeConfirm:
		m.Subject = "Your ImageApp confirmation code"
		m.Body = fmt.Sprintf("Hello %s,\n\nYour ImageApp confirmation code is %s\n\nIt expires in 24 hours. If you did not sign up, ignore this email.\n", a.Username, code)
	default:
		m.Subject = "Your ImageApp password reset code"
		m.Body = fmt.Sprintf("Hello %s,\n\nYour ImageApp password reset code is %s\n\nIt expires in 24 hours. If you did not ask for it, ignore this email.\n", a.Username, code)
	}
	return id.Outbox.Send(m)
}

func (id *Identity) log() *slog.Logger {
	if id.Log != nil {
		return id.Log
	}
	return slog.Default()
}

func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(fmt.Sprintf("local: crypto/rand failed: %v", err))
	}
	return fmt.Sprintf("%06d", n.Int64())
}

func newUUID() string {
	b := random(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

func hashPassword(pw string) string {
	salt := random(16)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func checkPassword(encoded, pw string) bool {
	var version int
	var mem, t uint32
	var threads uint8
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
