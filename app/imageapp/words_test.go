package imageapp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
	"time"
)

func TestWords(t *testing.T) {
	words := map[string]struct {
		err  *Error
		code string
	}{
		"ErrUsernameTaken":      {ErrUsernameTaken("alice"), ECONFLICT},
		"ErrNoAccount":          {ErrNoAccount("alice"), ENOTFOUND},
		"ErrUsernameTooSimilar": {ErrUsernameTooSimilar("aIice"), ECONFLICT},
		"ErrUsernameRetired":    {ErrUsernameRetired("bob", 90), ECONFLICT},
		"ErrAlreadyConfirmed":   {ErrAlreadyConfirmed(), EINVALID},
		"ErrWrongLogin":         {ErrWrongLogin(), EUNAUTHORIZED},
		"ErrUnconfirmed":        {ErrUnconfirmed(), EUNCONFIRMED},
		"ErrPasswordPolicy":     {ErrPasswordPolicy(), EINVALID},
		"ErrTooManyAttempts":    {ErrTooManyAttempts(), ERATELIMITED},
		"ErrMailFailed":         {ErrMailFailed(), EUNAVAILABLE},
		"ErrMailUnavailable":    {ErrMailUnavailable(), EUNAVAILABLE},
		"ErrWrongCode":          {ErrWrongCode(), EINVALID},
		"ErrCodeExpired":        {ErrCodeExpired(), EINVALID},
		"ErrWrongOrExpiredCode": {ErrWrongOrExpiredCode(), EINVALID},
		"ErrTooManyWrongCodes":  {ErrTooManyWrongCodes(), ERATELIMITED},
		"ErrCodeNotAccepted":    {ErrCodeNotAccepted(), EINVALID},
		"ErrTooManyMails":       {ErrTooManyMails(), ERATELIMITED},
		"ErrHashBusy":           {ErrHashBusy(), EUNAVAILABLE},
		"ErrNoSuchUser":         {ErrNoSuchUser(), ENOTFOUND},
		"ErrNoSuchMessage":      {ErrNoSuchMessage(), ENOTFOUND},
		"ErrMessageExists":      {ErrMessageExists(), ECONFLICT},
		"ErrNoSuchBlob":         {ErrNoSuchBlob(), ENOTFOUND},
		"ErrBadPageLink":        {ErrBadPageLink(), EINVALID},
		"ErrKeyMissing":         {ErrKeyMissing(), EINTEGRITY},
		"ErrKeyMismatch":        {ErrKeyMismatch(), EINTEGRITY},
		"ErrDiskFull":           {ErrDiskFull(), EUNAVAILABLE},
		"ErrCannotWrite":        {ErrCannotWrite(), EUNAVAILABLE},
		"ErrBusy":               {ErrBusy(), EUNAVAILABLE},
		"ErrSendingTooFast":     {ErrSendingTooFast(5 * time.Minute).Err, ERATELIMITED},
		"ErrInboxFull":          {ErrInboxFull("bob"), EQUOTA},
		"ErrRequestsFull":       {ErrRequestsFull("bob"), EQUOTA},
		"ErrStoreSlow":          {ErrStoreSlow().Err, EUNAVAILABLE},
	}
	for name, w := range words {
		t.Run(name, func(t *testing.T) {
			if w.err == nil {
				t.Fatal("nil *Error")
			}
			if w.err.Code != w.code || ErrorCode(w.err) != w.code {
				t.Errorf("code %q, want %q", w.err.Code, w.code)
			}
			msg := ErrorMessage(w.err)
			if strings.TrimSpace(msg) == "" || !strings.HasSuffix(msg, ".") {
				t.Errorf("message %q: want a non-empty sentence ending in a period", msg)
			}
			if msg != strings.TrimSpace(msg) {
				t.Errorf("message %q has surrounding space", msg)
			}
		})
	}

	// A name is part of what the person reads.
	for _, e := range []*Error{ErrUsernameTaken("alice"), ErrNoAccount("alice"), ErrUsernameTooSimilar("alice"), ErrUsernameRetired("alice", 90)} {
		if !strings.Contains(e.Message, `"alice"`) {
			t.Errorf("%q does not name the username", e.Message)
		}
	}

	// Every constructor in words.go is in the table, so none escapes the check.
	f, err := parser.ParseFile(token.NewFileSet(), "words.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !fn.Name.IsExported() {
			continue
		}
		if _, ok := words[fn.Name.Name]; !ok {
			t.Errorf("words.go declares %s, which TestWords does not check", fn.Name.Name)
		}
	}
}

// Each call is a fresh *Error: a caller that changes one cannot change
// what another caller shows.
func TestWordsAreFresh(t *testing.T) {
	a, b := ErrWrongLogin(), ErrWrongLogin()
	if a == b {
		t.Fatal("ErrWrongLogin returned the same pointer twice")
	}
}
