package imageapp_test

import (
	"testing"

	"imageapp/app/imageapp"
)

// TestMailWords: the one wording every AWS mail mode sends.
func TestMailWords(t *testing.T) {
	one := imageapp.Notification{SenderName: "alice", MessageID: "m1"}
	if s, b := one.MailSubject(), one.MailBody("https://img.example"); s != "New image from alice" ||
		b != "alice sent you an image on ImageApp.\n\nOpen it: https://img.example/messages/m1\n" {
		t.Errorf("one image: %q / %q", s, b)
	}
	digest := imageapp.Notification{Images: 14, Senders: []string{"alice", "bob", "carol"}}
	if s, b := digest.MailSubject(), digest.MailBody("https://img.example"); s != "3 people sent you 14 images" ||
		b != "3 people sent you 14 images on ImageApp.\n\nOpen your inbox: https://img.example/inbox\n" {
		t.Errorf("digest: %q / %q", s, b)
	}
}
