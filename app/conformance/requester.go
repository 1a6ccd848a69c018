package conformance

import (
	"errors"
	"testing"

	"imageapp/app/imageapp"
)

// testCodesNeedARequester: every identity port method that sends or checks
// a code refuses the zero Requester (ErrNoRequester, an internal error, not
// the person's), before it does anything: the name is not claimed, no code
// is mailed, the account is not confirmed. The account service passes the
// refusal on as it is.
func testCodesNeedARequester(t *testing.T, e *env) {
	var nobody imageapp.Requester
	refused := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, imageapp.ErrNoRequester()) || imageapp.ErrorCode(err) != imageapp.EINTERNAL {
			t.Errorf("%s for the zero Requester = %v; want ErrNoRequester (%s)", what, err, imageapp.EINTERNAL)
		}
	}
	in := imageapp.SignUpInput{Username: "nora", Email: emailOf("nora"), Password: password}
	refused("the port's sign-up", e.Identity.SignUp(e.ctx, nobody, in))
	refused("the service's sign-up", e.accounts().SignUp(e.ctx, nobody, in))
	if err := e.Identity.SignUp(e.ctx, asker, in); err != nil {
		t.Fatalf("sign-up by a requester after the refusals (the name must still be free): %v", err)
	}
	code := e.Code(t, emailOf("nora"))
	refused("confirm", e.Identity.Confirm(e.ctx, nobody, "nora", code))
	refused("the service's confirm", e.accounts().Confirm(e.ctx, nobody, "nora", code))
	wantCode(t, "login after the refused confirms", loginErr(e, "nora"), imageapp.EUNCONFIRMED)
	refused("resend", e.Identity.ResendCode(e.ctx, nobody, "nora"))
	if err := e.Identity.Confirm(e.ctx, asker, "nora", code); err != nil {
		t.Fatalf("confirm by a requester with the first code (no resend replaced it): %v", err)
	}

	refused("forgot password", e.Identity.ForgotPassword(e.ctx, nobody, "nora"))
	refused("reset password", e.Identity.ResetPassword(e.ctx, nobody, "nora", "123456", "another new passphrase"))
	refused("request an email change", e.Identity.RequestEmailChange(e.ctx, nobody, "nora", password, "nora.new@example.com"))
	_, err := e.Identity.ConfirmEmailChange(e.ctx, nobody, "nora", password, "123456")
	refused("confirm an email change", err)
	if p, err := e.Identity.Login(e.ctx, asker, "nora", password); err != nil || p.Email != emailOf("nora") {
		t.Errorf("login after the refusals = %+v, %v; want the old password and address", p, err)
	}
}

func loginErr(e *env, username string) error {
	_, err := e.Identity.Login(e.ctx, asker, username, password)
	return err
}
