package local

import (
	"context"
	"fmt"
	"testing"

	"imageapp/app/imageapp"
)

// The per-address bucket counts mailboxes, not spellings: Gmail ignores
// dots and reads googlemail.com as gmail.com, and a +tag reaches the same
// inbox, so those spellings of one address share its five codes.
func TestTheMailBucketTreatsGmailSpellingsAsOneAddress(t *testing.T) {
	id := newIdentity(t, nil)
	ctx := context.Background()
	spellings := []string{"victim@gmail.com", "v.ictim@gmail.com", "vi.ctim@gmail.com", "vic.tim+a@gmail.com", "v.i.c.t.i.m@googlemail.com"}
	for i, email := range spellings {
		in := imageapp.SignUpInput{Username: fmt.Sprintf("squat%d", i), Email: email, Password: "correct horse battery"}
		if err := id.SignUp(ctx, tester, in); err != nil {
			t.Fatalf("sign-up %d to %s, within the bucket: %v", i+1, email, err)
		}
	}
	err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "squat9", Email: "vict.im@gmail.com", Password: "correct horse battery"})
	if imageapp.ErrorCode(err) != imageapp.ERATELIMITED {
		t.Fatalf("a sixth code to another dotted spelling of victim@gmail.com: %v; want %s", err, imageapp.ERATELIMITED)
	}
	if err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "other", Email: "someone@gmail.com", Password: "correct horse battery"}); err != nil {
		t.Fatalf("another Gmail address shares the victim's bucket: %v", err)
	}
}
