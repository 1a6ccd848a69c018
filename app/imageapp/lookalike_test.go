package imageapp

import "testing"

func TestLookAlikeUsernamesShareASkeleton(t *testing.T) {
	for _, pair := range [][2]string{
		{"alice", "aIice"},
		{"alice", "ALICE"},
		{"alice", "a1ice"},
		{"bob", "b0b"},
		{"bob", "BOB"},
		{"dave", "dave."},
		{"dave", "dave_"},
		{"dave", ".dave"},
		{"dave", "-dave-"},
		{"mia", "rnia"},
		{"wes", "vves"},
		{"jo.bo", "jo..bo"},
		{"jo_bo", "jo__-bo"},
	} {
		if a, b := UsernameSkeleton(pair[0]), UsernameSkeleton(pair[1]); a != b {
			t.Errorf("%q and %q look alike but have the skeletons %q and %q", pair[0], pair[1], a, b)
		}
	}
}

func TestDifferentUsernamesKeepDifferentSkeletons(t *testing.T) {
	for _, pair := range [][2]string{
		{"alice", "alicia"},
		{"jo.bo", "jobo"},
		{"dave", "davey"},
		{"mia", "nia"},
	} {
		if a, b := UsernameSkeleton(pair[0]), UsernameSkeleton(pair[1]); a == b {
			t.Errorf("%q and %q are different names but share the skeleton %q", pair[0], pair[1], a)
		}
	}
}

func TestGmailSpellingsOfOneAddressShareAMailboxKey(t *testing.T) {
	want := MailboxKey("victim@gmail.com")
	for _, addr := range []string{"v.ictim@gmail.com", "V.I.C.T.I.M@Gmail.com", "victim+x@gmail.com",
		"vic.tim+tag@googlemail.com", " victim@GOOGLEMAIL.COM"} {
		if got := MailboxKey(addr); got != want {
			t.Errorf("MailboxKey(%q) = %q; want %q, the same mailbox as victim@gmail.com", addr, got, want)
		}
	}
	if MailboxKey("v.ictim@example.com") == MailboxKey("victim@example.com") {
		t.Error("dots were dropped outside Gmail, where they make another address")
	}
	if got := MailboxKey("victim+tag@example.com"); got != "victim@example.com" {
		t.Errorf("MailboxKey drops a +tag everywhere: got %q", got)
	}
}
