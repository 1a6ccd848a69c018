package local

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"imageapp/app/imageapp"
	"imageapp/app/ratelimit"
)

// Identity keeps accounts in SQLite: argon2id password hashes, and
// confirmation and reset codes mailed to the outbox and stored only as keyed
// hashes. After confirmation it calls PostConfirm, the same provisioning the
// Cognito trigger runs in AWS mode.
//
// Asking for a code and trying one do the same work, and leave the same
// traces, whether the username has an account or not, is confirmed or not:
// a dummy mail is written and discarded where no real one goes, and the
// wrong-code budgets are kept by username (table code_tries).
type Identity struct {
	DB          *DB
	Outbox      *Outbox
	Pepper      []byte // keys the code hashes, so a stolen database does not yield codes
	PostConfirm func(ctx context.Context, u imageapp.User) error
	Log         *slog.Logger
	Now         func() time.Time
	// Hasher bounds the argon2id hashes running at once; nil means one of
	// this Identity's own, sized from memory (NewHasher(0, 0)).
	Hasher *Hasher
	// MailLimit bounds the codes mailed to one address; zero means
	// defaultMailLimit.
	MailLimit ratelimit.Rule

	once   sync.Once
	mails  *ratelimit.Limiter
	swept  atomic.Int64 // when code_tries was last swept, in Unix nanoseconds
	hasher *Hasher
}

var _ imageapp.Identity = (*Identity)(nil)

const (
	codeTTL         = 24 * time.Hour
	maxCodeAttempts = 5 // wrong tries by its requester that kill one code
	// maxCodeFailures is how many wrong codes everyone but the requester of
	// the current code may try per username and purpose within
	// codeFailureWindow. Without it every new code brings fresh guesses, and a
	// script alternating "forgot" and "reset" gets thousands a day.
	maxCodeFailures = 20
	// maxSourceFailures is how many wrong codes one device or address may
	// try per username and purpose within codeFailureWindow, requester or not.
	maxSourceFailures = 20
	codeFailureWindow = 24 * time.Hour
	purposeConfirm    = "confirm"
	purposeReset      = "reset"
)

// defaultMailLimit: five codes to one address at once, then one every four
// hours. Each code mailed gives whoever asked for it maxCodeAttempts tries,
// so this bounds the guesses of strangers who ask from many addresses:
// at most 5×(5+6) + 20 a day against one account.
var defaultMailLimit = ratelimit.Rule{Burst: 5, Every: 4 * time.Hour}

func (id *Identity) init() {
	id.once.Do(func() {
		rule := id.MailLimit
		if rule.Burst == 0 {
			rule = defaultMailLimit
		}
		id.mails = ratelimit.New(rule, id.now)
		id.hasher = id.Hasher
		if id.hasher == nil {
			id.hasher = NewHasher(0, 0)
		}
	})
}

// HasherStats reports the counts of the Identity's hasher.
func (id *Identity) HasherStats() HasherStats {
	id.init()
	return id.hasher.Stats()
}

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
		return account{Username: username}, imageapp.ErrNoAccount(username)
	}
	if err != nil {
		return a, fmt.Errorf("local: identity: %w", err)
	}
	a.Confirmed = confirmed.Valid
	return a, nil
}

// hash hashes a password in one of the hasher's slots.
func (id *Identity) hash(ctx context.Context, pw string) (string, error) {
	id.init()
	var h string
	err := id.hasher.run(ctx, func() { h = hashPassword(pw) })
	return h, err
}

// check compares a password with a hash in one of the hasher's slots.
func (id *Identity) check(ctx context.Context, encoded, pw string) (bool, error) {
	id.init()
	var ok bool
	err := id.hasher.run(ctx, func() { ok = checkPassword(encoded, pw) })
	return ok, err
}

// SignUp creates an unconfirmed account and mails a confirmation code.
// Returns ERATELIMITED when the address was mailed too many codes lately.
func (id *Identity) SignUp(ctx context.Context, who imageapp.Requester, in imageapp.SignUpInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	id.init()
	source, known, err := id.source(who)
	if err != nil {
		return err
	}
	pwHash, err := id.hash(ctx, in.Password)
	if err != nil {
		return err
	}
	a := account{ID: newUUID(), Username: in.Username, Email: in.Email, PasswordHash: pwHash}
	code := newCode()
	err = id.DB.tx(ctx, func(tx *sql.Tx) error {
		// The name is claimed in the transaction that checks it is free:
		// a deletion retires its name before the account goes, so between
		// the two no sign-up finds it free.
		if err := id.claimName(ctx, tx, a.Username); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, username, username_key, email, password_hash, created_at, skeleton)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Username, strings.ToLower(a.Username), a.Email, a.PasswordHash, id.now().UnixNano(),
			imageapp.UsernameSkeleton(a.Username))
		if isUniqueViolation(err) {
			return imageapp.ErrUsernameTaken(in.Username)
		}
		if err != nil {
			return dbError(err)
		}
		// An address is not sent codes without end, however many usernames
		// name it. Asked only now, so a taken name spends no mail.
		if ok, wait := id.mails.Allow(mailKey(in.Email)); !ok && !known {
			return &imageapp.RetryLater{After: wait, Err: imageapp.ErrTooManyMails()}
		}
		if err := id.markRequester(ctx, tx, a.Username, purposeConfirm, source, true); err != nil {
			return err
		}
		return id.storeCode(ctx, tx, a.ID, purposeConfirm, code, true)
	})
	if err != nil {
		return err
	}
	return id.Outbox.Send(codeMail(a, purposeConfirm, code))
}

// claimName refuses username when it, or a name that looks like it, is
// retired or held by an account, in tx, the sign-up's transaction. An
// unconfirmed account whose confirmation code has expired holds its name
// no more: it is deleted here, so the new account replaces it.
func (id *Identity) claimName(ctx context.Context, tx *sql.Tx, username string) error {
	now := id.now()
	sk := imageapp.UsernameSkeleton(username)
	var retired string
	var until int64
	err := tx.QueryRowContext(ctx, `SELECT username_key, until FROM retired_usernames WHERE skeleton = ? AND until > ?
		ORDER BY username_key = ? DESC LIMIT 1`, sk, now.UnixNano(), strings.ToLower(username)).Scan(&retired, &until)
	switch {
	case err != nil && !isNoRows(err):
		return dbError(err)
	case err == nil && retired == strings.ToLower(username):
		days := int(math.Ceil(time.Unix(0, until).Sub(now).Hours() / 24))
		return imageapp.ErrUsernameRetired(username, days)
	case err == nil:
		return imageapp.ErrUsernameTooSimilar(username)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM accounts WHERE skeleton = ? AND confirmed_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM codes WHERE account_id = accounts.id AND purpose = ? AND expires_at >= ?)`,
		sk, purposeConfirm, now.UnixNano())
	if err != nil {
		return dbError(err)
	}
	var holder string
	err = tx.QueryRowContext(ctx, `SELECT username_key FROM accounts WHERE skeleton = ?`, sk).Scan(&holder)
	switch {
	case isNoRows(err):
		return nil
	case err != nil:
		return dbError(err)
	case holder == strings.ToLower(username):
		return imageapp.ErrUsernameTaken(username)
	default:
		return imageapp.ErrUsernameTooSimilar(username)
	}
}

// Confirm checks the code, confirms the account and provisions the user. An
// unknown or confirmed account costs the same work as a wrong code.
func (id *Identity) Confirm(ctx context.Context, who imageapp.Requester, username, code string) error {
	if err := imageapp.ValidateCode(code); err != nil {
		return err
	}
	a, err := id.account(ctx, username)
	if err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		return err
	}
	known := err == nil
	accountID := a.ID
	if a.Confirmed {
		accountID = "" // no code can confirm it again
	}
	cerr := id.checkCode(ctx, who, username, accountID, purposeConfirm, code, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET confirmed_at = ? WHERE id = ?`, id.now().UnixNano(), a.ID)
		return dbError(err)
	})
	switch {
	case !known:
		if cerr == nil || imageapp.IsCodeRefused(cerr) {
			return imageapp.ErrNoAccount(username)
		}
		return cerr
	case a.Confirmed:
		if cerr == nil || imageapp.IsCodeRefused(cerr) {
			return imageapp.ErrAlreadyConfirmed()
		}
		return cerr
	case cerr != nil:
		return cerr
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

// ResendCode replaces the confirmation code. An unknown or confirmed
// account gets the same work (and a dummy mail) before its error.
func (id *Identity) ResendCode(ctx context.Context, who imageapp.Requester, username string) error {
	a, err := id.account(ctx, username)
	if err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		return err
	}
	known := err == nil
	if err := id.requestCode(ctx, who, a, known && !a.Confirmed, purposeConfirm); err != nil {
		return err
	}
	switch {
	case !known:
		return imageapp.ErrNoAccount(username)
	case a.Confirmed:
		return imageapp.ErrAlreadyConfirmed()
	}
	return nil
}

// dummyHash is compared against for unknown usernames, so the answer takes as
// long as for a real account.
var dummyHash = hashPassword("not-a-real-password-only-for-timing")

// Login checks username's password; who is not used here (the web layer
// limits sign-ins, and no provider judges them by address).
func (id *Identity) Login(ctx context.Context, who imageapp.Requester, username, password string) (imageapp.Principal, error) {
	return id.login(ctx, username, password)
}

// login checks the password; unknown users and wrong passwords get one answer.
// Returns EUNAVAILABLE (with a wait) when too many hashes are running.
func (id *Identity) login(ctx context.Context, username, password string) (imageapp.Principal, error) {
	a, err := id.account(ctx, username)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		if _, err := id.check(ctx, dummyHash, password); err != nil {
			return imageapp.Principal{}, err
		}
		return imageapp.Principal{}, imageapp.ErrWrongLogin()
	} else if err != nil {
		return imageapp.Principal{}, err
	}
	ok, err := id.check(ctx, a.PasswordHash, password)
	if err != nil {
		return imageapp.Principal{}, err
	}
	if !ok {
		return imageapp.Principal{}, imageapp.ErrWrongLogin()
	}
	if !a.Confirmed {
		return imageapp.Principal{}, imageapp.ErrUnconfirmed()
	}
	return imageapp.Principal{ID: a.ID, Username: a.Username, Email: a.Email}, nil
}

// ForgotPassword mails a reset code; an unknown username gets the same
// answer after the same work (a dummy mail written and discarded).
func (id *Identity) ForgotPassword(ctx context.Context, who imageapp.Requester, username string) error {
	a, err := id.account(ctx, username)
	if err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		return err
	}
	return id.requestCode(ctx, who, a, err == nil, purposeReset)
}

// ResetPassword sets a new password when the reset code is right. The new
// password is hashed first, whatever the code and the account, so every
// attempt costs the same.
func (id *Identity) ResetPassword(ctx context.Context, who imageapp.Requester, username, code, newPassword string) error {
	if err := imageapp.ValidateCode(code); err != nil {
		return err
	}
	if err := imageapp.ValidatePassword(newPassword); err != nil {
		return err
	}
	a, err := id.account(ctx, username)
	if err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		return err
	}
	pwHash, err := id.hash(ctx, newPassword)
	if err != nil {
		return err
	}
	return id.checkCode(ctx, who, username, a.ID, purposeReset, code, func(tx *sql.Tx) error {
		// A reset proves the email, so it confirms an unconfirmed account too.
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ?, confirmed_at = coalesce(confirmed_at, ?) WHERE id = ?`,
			pwHash, id.now().UnixNano(), a.ID)
		return dbError(err)
	})
}

// source is who asks, as the key code_tries keeps: a keyed hash, so the
// table holds no address or device ID. The zero Requester is refused.
func (id *Identity) source(who imageapp.Requester) (key string, knownDevice bool, err error) {
	if err := who.Check(); err != nil {
		return "", false, err
	}
	mac := hmac.New(sha256.New, id.Pepper)
	fmt.Fprintf(mac, "requester|%s", who.Key())
	return hex.EncodeToString(mac.Sum(nil)[:16]), who.KnownDevice(), nil
}

// mailKey is the bucket of an address: its mailbox (imageapp.MailboxKey),
// so the spellings that deliver to one mailbox share one bucket.
func mailKey(email string) string {
	return "mail:" + imageapp.MailboxKey(email)
}

// requestCode asks for a new code of purpose for a. When send is true (the
// account exists and may get this code) and the address has not been sent
// too many codes lately, it stores the code, mails it, and makes the asker
// the code's requester. Otherwise it does the same work to no effect and
// writes a dummy mail: the answer and its time tell nothing. A request over
// the address's limit is dropped the same way, silently, so that a stranger
// cannot learn an account's address by filling its bucket; the code mailed
// before stays good. A browser the account has logged in from is not
// limited: it is the owner's.
func (id *Identity) requestCode(ctx context.Context, who imageapp.Requester, a account, send bool, purpose string) error {
	id.init()
	source, known, err := id.source(who)
	if err != nil {
		return err
	}
	bucket := mailKey(a.Email)
	if !send {
		bucket = "nomail:" + purpose + ":" + strings.ToLower(a.Username) // the same limit, counted apart
	}
	if ok, _ := id.mails.Allow(bucket); !ok && !known {
		return id.codeRequestWork(ctx, source, a, false, false, purpose)
	}
	return id.codeRequestWork(ctx, source, a, send, true, purpose)
}

// codeRequestWork runs the same statements and writes one mail whatever it
// is asked: send stores and mails a real code, mark makes the asker (source)
// the requester.
func (id *Identity) codeRequestWork(ctx context.Context, source string, a account, send, mark bool, purpose string) error {
	code := newCode()
	accountID := a.ID
	if !send {
		accountID = "" // stores nothing: no account has it
	}
	err := id.DB.tx(ctx, func(tx *sql.Tx) error {
		if err := id.markRequester(ctx, tx, a.Username, purpose, source, mark); err != nil {
			return err
		}
		return id.storeCode(ctx, tx, accountID, purpose, code, send)
	})
	if err != nil {
		return err
	}
	m := codeMail(a, purpose, code)
	if !send {
		m.To = "nobody@imageapp.invalid"
		return id.Outbox.Discard(m)
	}
	return id.Outbox.Send(m)
}

// markRequester records that source asked for username's code of purpose
// (when mark) and touches its row; now and then it drops rows older than
// any window they count in.
func (id *Identity) markRequester(ctx context.Context, tx *sql.Tx, username, purpose, source string, mark bool) error {
	now := id.now().UnixNano()
	uk := strings.ToLower(username)
	requested := int64(0)
	if mark {
		// Later than any request before, even on a clock that stood still
		// or stepped back: the last to ask is the requester.
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(requested_at), 0) FROM code_tries WHERE username_key = ? AND purpose = ?`,
			uk, purpose).Scan(&last); err != nil {
			return dbError(err)
		}
		requested = max(now, last+1)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO code_tries (username_key, purpose, source, requested_at, touched_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (username_key, purpose, source) DO UPDATE SET
			requested_at = CASE WHEN excluded.requested_at > 0 THEN excluded.requested_at ELSE requested_at END,
			touched_at = excluded.touched_at`,
		uk, purpose, source, requested, now)
	if err != nil {
		return dbError(err)
	}
	return id.sweep(ctx, tx, now)
}

// sweep deletes code_tries rows untouched for longer than every window,
// at most every ten minutes (one range of an index).
func (id *Identity) sweep(ctx context.Context, tx *sql.Tx, now int64) error {
	last := id.swept.Load()
	if now-last < int64(10*time.Minute) || !id.swept.CompareAndSwap(last, now) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM code_tries WHERE touched_at < ?`, now-int64(max(codeTTL, codeFailureWindow)+time.Hour))
	return dbError(err)
}

// storeCode replaces accountID's code of purpose. With store false, or an
// accountID no account has, the same statement stores nothing.
func (id *Identity) storeCode(ctx context.Context, tx *sql.Tx, accountID, purpose, code string, store bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO codes (account_id, purpose, code_hash, expires_at, attempts)
		SELECT id, ?, ?, ?, 0 FROM accounts WHERE id = ? AND ?
		ON CONFLICT (account_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0`,
		purpose, id.codeHash(accountID, purpose, code), id.now().Add(codeTTL).UnixNano(), accountID, store)
	return dbError(err)
}

// tries is one row of code_tries.
type tries struct {
	failures, since, requested int64
}

func (id *Identity) tries(ctx context.Context, tx *sql.Tx, uk, purpose, source string) (tries, error) {
	var t tries
	err := tx.QueryRowContext(ctx, `SELECT failures, failures_since, requested_at FROM code_tries
		WHERE username_key = ? AND purpose = ? AND source = ?`, uk, purpose, source).Scan(&t.failures, &t.since, &t.requested)
	if isNoRows(err) {
		return tries{}, nil
	}
	return t, err
}

// failed counts one wrong code in t, starting a new window when the last is over.
func (t tries) failed(now int64) tries {
	if now-t.since >= int64(codeFailureWindow) {
		t.failures, t.since = 0, now
	}
	t.failures++
	return t
}

// spent reports whether t has used up limit in its window, and the wait.
func (t tries) spent(limit int, now int64) (bool, time.Duration) {
	if t.failures < int64(limit) || now-t.since >= int64(codeFailureWindow) {
		return false, 0
	}
	return true, time.Duration(t.since + int64(codeFailureWindow) - now)
}

func (id *Identity) saveTries(ctx context.Context, tx *sql.Tx, uk, purpose, source string, t tries, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO code_tries (username_key, purpose, source, failures, failures_since, touched_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (username_key, purpose, source) DO UPDATE SET failures = excluded.failures,
			failures_since = excluded.failures_since, touched_at = excluded.touched_at`,
		uk, purpose, source, t.failures, t.since, now)
	return dbError(err)
}

// checkCode runs fn in the transaction that consumes accountID's code of
// purpose, if code is it. Wrong codes are charged to who tries them:
//
//   - every source (device or address) gets maxSourceFailures a day per
//     username and purpose;
//   - the requester of the current code (who asked for it last, within its
//     life) is held back by nothing else, and its wrong tries count against
//     the code, which dies after maxCodeAttempts;
//   - everyone else shares maxCodeFailures a day, and their wrong tries do
//     not touch the code: a stranger can neither kill the owner's code nor,
//     by spending the shared budget, stop the owner from using a code they
//     asked for themselves.
//
// accountID "" (unknown username, confirmed account) runs the same
// statements and matches no code. A wrong try is committed before the
// answer.
func (id *Identity) checkCode(ctx context.Context, who imageapp.Requester, username, accountID, purpose, code string, fn func(*sql.Tx) error) error {
	uk := strings.ToLower(username)
	source, _, err := id.source(who)
	if err != nil {
		return err
	}
	want := id.codeHash(accountID, purpose, code)
	var codeErr error
	err = id.DB.tx(ctx, func(tx *sql.Tx) error {
		now := id.now().UnixNano()
		own, err := id.tries(ctx, tx, uk, purpose, source)
		if err != nil {
			return err
		}
		others, err := id.tries(ctx, tx, uk, purpose, "")
		if err != nil {
			return err
		}
		var requester string
		err = tx.QueryRowContext(ctx, `SELECT source FROM code_tries WHERE username_key = ? AND purpose = ? AND source != ''
			AND requested_at > ? ORDER BY requested_at DESC LIMIT 1`, uk, purpose, now-int64(codeTTL)).Scan(&requester)
		if err != nil && !isNoRows(err) {
			return err
		}
		isRequester := requester == source
		var stored []byte
		var expires int64
		var attempts int
		err = tx.QueryRowContext(ctx, `SELECT code_hash, expires_at, attempts FROM codes WHERE account_id = ? AND purpose = ?`,
			accountID, purpose).Scan(&stored, &expires, &attempts)
		found := err == nil
		if err != nil && !isNoRows(err) {
			return err
		}
		if spent, wait := own.spent(maxSourceFailures, now); spent {
			codeErr = &imageapp.RetryLater{After: wait, Err: imageapp.Errorf(imageapp.ERATELIMITED,
				"Too many wrong codes from here today. Try again in %d hours.", int(math.Ceil(wait.Hours())))}
			return nil
		}
		if spent, wait := others.spent(maxCodeFailures, now); spent && !isRequester {
			codeErr = &imageapp.RetryLater{After: wait, Err: imageapp.Errorf(imageapp.ERATELIMITED,
				"Too many wrong codes were tried for this account today. Ask for a new code here and enter it here, "+
					"or try again in %d hours.", int(math.Ceil(wait.Hours())))}
			return nil
		}
		match := found && subtle.ConstantTimeCompare(stored, want) == 1
		switch {
		case !found:
			codeErr = imageapp.ErrWrongOrExpiredCode()
		case isRequester && attempts >= maxCodeAttempts:
			codeErr = imageapp.ErrTooManyWrongCodes()
		case now > expires:
			codeErr = imageapp.ErrCodeExpired()
		case !match:
			codeErr = imageapp.ErrWrongCode()
		}
		if codeErr == nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM codes WHERE account_id = ? AND purpose = ?`, accountID, purpose); err != nil {
				return dbError(err)
			}
			return fn(tx)
		}
		if err := id.saveTries(ctx, tx, uk, purpose, source, own.failed(now), now); err != nil {
			return err
		}
		if !isRequester {
			return id.saveTries(ctx, tx, uk, purpose, "", others.failed(now), now)
		}
		_, err = tx.ExecContext(ctx, `UPDATE codes SET attempts = attempts + 1 WHERE account_id = ? AND purpose = ?`, accountID, purpose)
		return dbError(err)
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

// codeMail is the mail that carries a code.
func codeMail(a account, purpose, code string) Mail {
	m := Mail{To: a.Email}
	switch purpose {
	case purposeConfirm:
		m.Subject = "Your ImageApp confirmation code"
		m.Body = fmt.Sprintf("Hello %s,\n\nYour ImageApp confirmation code is %s\n\nIt expires in 24 hours. If you did not sign up, ignore this email.\n", a.Username, code)
	default:
		m.Subject = "Your ImageApp password reset code"
		m.Body = fmt.Sprintf("Hello %s,\n\nYour ImageApp password reset code is %s\n\nIt expires in 24 hours. If you did not ask for it, ignore this email.\n", a.Username, code)
	}
	return m
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
