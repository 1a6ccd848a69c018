package local

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Outbox "sends" mail by writing RFC 5322 .eml files to <data>/outbox/, so a
// person or a script can read them. The log names the file, never its content.
//
// Every notification is a file, so the outbox is kept bounded: each write
// removes the mails beyond the newest MaxFiles and those older than MaxAge.
// Only the names the outbox itself gives (<time>-<random>.eml) are counted
// and removed; anything else in the folder is left alone.
type Outbox struct {
	Dir  string
	From string
	Log  *slog.Logger
	// MaxFiles is how many mails the outbox keeps, the newest; zero means
	// DefaultOutboxMaxFiles.
	MaxFiles int
	// MaxAge is how long the outbox keeps a mail; zero means
	// DefaultOutboxMaxAge.
	MaxAge time.Duration

	mu    sync.Mutex
	kept  []string // the mails' names, oldest first
	known bool     // whether kept has been read from the folder
}

// The outbox's bounds when none are configured: a week of mail, at most a
// thousand files (a few MB).
const (
	DefaultOutboxMaxFiles = 1000
	DefaultOutboxMaxAge   = 7 * 24 * time.Hour
)

// mailTimeLayout starts every mail's file name, so that names sort by time.
const mailTimeLayout = "20060102T150405.000000000Z"

// Mail is one plain-text message.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// Send writes m atomically as a new .eml file.
func (o *Outbox) Send(m Mail) error { return o.write(m, true) }

// Discard does what Send does, file, sync and rename included, to a name
// that is no mail (.discard-*), and removes it after returning: the work of
// a mail that must not go out, so that a request that sends none answers as
// late as one that does. (Unlinking a synced file takes as long again; it
// is done off the request.)
func (o *Outbox) Discard(m Mail) error { return o.write(m, false) }

// testHookMailWritten, when set, hears of each mail written (sent or not).
var testHookMailWritten func(sent bool)

func (o *Outbox) write(m Mail, send bool) error {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return fmt.Errorf("local: outbox: %w", err)
	}
	now := time.Now().UTC()
	id := fmt.Sprintf("%s-%x", now.Format(mailTimeLayout), random(4))
	from := o.From
	if from == "" {
		from = "ImageApp <no-reply@imageapp.localhost>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\n", from)
	fmt.Fprintf(&b, "To: %s\r\n", headerSafe(m.To))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", headerSafe(m.Subject)))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@imageapp.localhost>\r\n", id)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n"))
	path := filepath.Join(o.Dir, id+".eml")
	if !send {
		path = filepath.Join(o.Dir, ".discard-"+id)
	}
	if err := writeFileAtomic(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("local: outbox: %w", err)
	}
	if testHookMailWritten != nil {
		testHookMailWritten(send)
	}
	if !send {
		go os.Remove(path)
		return nil
	}
	if o.Log != nil {
		o.Log.Info("mail written to outbox", "file", path, "subject", m.Subject)
	}
	o.prune(id+".eml", now)
	return nil
}

// prune records the mail just written and removes the oldest mails beyond
// MaxFiles and those older than MaxAge. It costs one read of the folder in
// the life of the process, then a removal or two a mail. A mail that cannot
// be removed is logged and forgotten; the next process finds it again.
func (o *Outbox) prune(name string, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.known {
		o.kept = o.readMails()
		o.known = true
	}
	// In order, and once: a mail written at the same time as this one may be
	// listed already, or be listed after it.
	if i, found := slices.BinarySearch(o.kept, name); !found {
		o.kept = slices.Insert(o.kept, i, name)
	}
	maxFiles, maxAge := o.MaxFiles, o.MaxAge
	if maxFiles <= 0 {
		maxFiles = DefaultOutboxMaxFiles
	}
	if maxAge <= 0 {
		maxAge = DefaultOutboxMaxAge
	}
	cut := 0
	for cut < len(o.kept)-1 && (len(o.kept)-cut > maxFiles || mailTime(o.kept[cut]).Before(now.Add(-maxAge))) {
		cut++
	}
	for _, old := range o.kept[:cut] {
		if err := os.Remove(filepath.Join(o.Dir, old)); err != nil && !errors.Is(err, fs.ErrNotExist) && o.Log != nil {
			o.Log.Warn("could not remove an old mail from the outbox", "file", old, "err", err)
		}
	}
	o.kept = slices.Delete(o.kept, 0, cut)
}

// readMails lists the mails in the folder, oldest first.
func (o *Outbox) readMails() []string {
	entries, err := os.ReadDir(o.Dir)
	if err != nil {
		if o.Log != nil {
			o.Log.Warn("could not read the outbox to prune it", "err", err)
		}
		return nil
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && isMailName(n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// isMailName reports whether name is one the outbox gives its mails.
func isMailName(name string) bool {
	stem, ok := strings.CutSuffix(name, ".eml")
	return ok && len(stem) > len(mailTimeLayout)+1 && stem[len(mailTimeLayout)] == '-' && !mailTime(name).IsZero()
}

// mailTime is when the mail named name was written, or the zero time.
func mailTime(name string) time.Time {
	if len(name) < len(mailTimeLayout) {
		return time.Time{}
	}
	t, err := time.Parse(mailTimeLayout, name[:len(mailTimeLayout)])
	if err != nil {
		return time.Time{}
	}
	return t
}

// headerSafe drops line breaks so a value cannot add headers.
func headerSafe(s string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}
