package local

import (
	"fmt"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Outbox "sends" mail by writing RFC 5322 .eml files to <data>/outbox/, so a
// person or a script can read them. The log names the file, never its content.
type Outbox struct {
	Dir  string
	From string
	Log  *slog.Logger
}

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
	id := fmt.Sprintf("%s-%x", now.Format("20060102T150405.000000000Z"), random(4))
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
	return nil
}

// headerSafe drops line breaks so a value cannot add headers.
func headerSafe(s string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}
