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
func (o *Outbox) Send(m Mail) error {
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
	if err := writeFileAtomic(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("local: outbox: %w", err)
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
