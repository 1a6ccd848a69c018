package messaging_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

// TestSendRefusesInTheRulesWords: an overlong caption and an unknown Keep
// are refused with imageapp.Rules' words, the ones React and static/*.js
// show before sending, with the limit where the words say "{max}".
func TestSendRefusesInTheRulesWords(t *testing.T) {
	ctx := context.Background()
	svc, _ := newLocalService(t)
	alice := newUser(t, svc, "alice")
	newUser(t, svc, "bob")
	r := imageapp.Rules()
	for _, c := range []struct {
		in   messaging.SendInput
		want string
	}{
		{messaging.SendInput{Caption: strings.Repeat("é", messaging.MaxCaptionLength+1)},
			strings.Replace(r.Upload.CaptionTooLong, "{max}", strconv.Itoa(messaging.MaxCaptionLength), 1)},
		{messaging.SendInput{Keep: "2d"}, r.Keep.Invalid},
	} {
		c.in.To = "bob"
		c.in.Body = bytes.NewReader(imageapptest.NoisePNG(16, 16, 1))
		_, err := svc.Send(ctx, alice, c.in)
		if imageapp.ErrorCode(err) != imageapp.EINVALID || imageapp.ErrorMessage(err) != c.want {
			t.Errorf("Send: %v; want EINVALID %q", err, c.want)
		}
	}
}
