package imageapp_test

import (
	"testing"

	"imageapp/app/imageapp"
)

func TestANotificationSaysWhoSentHowMany(t *testing.T) {
	for _, tc := range []struct {
		n    imageapp.Notification
		want string
	}{
		{imageapp.Notification{SenderName: "alice", MessageID: "m1"}, "alice sent you an image"},
		{imageapp.Notification{Images: 1, Senders: []string{"alice"}}, "alice sent you an image"},
		{imageapp.Notification{Images: 12, Senders: []string{"alice"}}, "alice sent you 12 images"},
		{imageapp.Notification{Images: 14, Senders: []string{"alice", "bob", "carol"}}, "3 people sent you 14 images"},
		{imageapp.Notification{Images: 4}, "4 new images are waiting for you"},
	} {
		if got := tc.n.Summary(); got != tc.want {
			t.Errorf("%+v says %q; want %q", tc.n, got, tc.want)
		}
	}
}
