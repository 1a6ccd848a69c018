package local

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// mailNames lists the outbox's .eml files, oldest first.
func mailNames(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	slices.Sort(names)
	return names
}

func TestTheOutboxKeepsOnlyTheNewestMails(t *testing.T) {
	o := &Outbox{Dir: t.TempDir(), MaxFiles: 5}
	var written []string
	for i := range 12 {
		if err := o.Send(Mail{To: "bob@example.com", Subject: fmt.Sprint("mail ", i), Body: "hello"}); err != nil {
			t.Fatal(err)
		}
		names := mailNames(t, o.Dir)
		written = append(written, names[len(names)-1])
	}
	if got, want := mailNames(t, o.Dir), written[7:]; !slices.Equal(got, want) {
		t.Errorf("after 12 mails with MaxFiles 5 the outbox holds %v; want the newest 5 %v", got, want)
	}
}

func TestTheOutboxDropsMailsOlderThanItKeepsThem(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().UTC()
	write := func(name string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := now.Add(-8*24*time.Hour).Format(mailTimeLayout) + "-0badc0de.eml"
	recent := now.Add(-6*24*time.Hour).Format(mailTimeLayout) + "-0000cafe.eml"
	write(old)
	write(recent)
	write("notes.eml") // not a name the outbox gives: not its to remove
	o := &Outbox{Dir: dir}
	if err := o.Send(Mail{To: "bob@example.com", Subject: "new", Body: "hello"}); err != nil {
		t.Fatal(err)
	}
	got := mailNames(t, dir)
	if slices.Contains(got, old) || !slices.Contains(got, recent) || !slices.Contains(got, "notes.eml") || len(got) != 3 {
		t.Errorf("with the default week the outbox holds %v; want %s dropped (8 days old), %s, notes.eml and the new mail kept", got, old, recent)
	}
}
