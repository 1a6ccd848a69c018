package messaging

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"imageapp/app/imageapp"
)

// "Export my data" (POST /settings/export and POST /api/me/export) streams a
// zip of the images the person received and sent, decrypted, and an
// index.json. Nothing is held whole: the mailboxes are read a page at a
// time, each image is decrypted segment by segment straight into the zip,
// and the zip goes straight to the client. The index is the last entry, so
// it can list what actually went into the zip (and what failed); its
// records wait in an envelope spool (an unlinked temp file, encrypted under
// a key only this request holds) rather than in memory, so an export of a
// mailbox of any size stays within a few segment buffers, and no caption
// touches the disk in the clear. Captions and file names cost one key
// unwrap per message (ReadMeta), which leaves messages unread.

// exportPageSize is how many messages the export lists at a time.
const exportPageSize = 20

// exportEntry is one message in index.json.
type exportEntry struct {
	ID            string     `json:"id"`
	Direction     string     `json:"direction"` // received or sent
	OtherUsername string     `json:"other_username"`
	SentAt        time.Time  `json:"sent_at"`
	OpenedAt      *time.Time `json:"opened_at"` // null while unread
	Caption       string     `json:"caption"`
	Filename      string     `json:"filename"` // as the sender's device named it
	ContentType   string     `json:"content_type"`
	Size          int64      `json:"size"`
	Path          *string    `json:"path"`            // inside the zip; null when the image is not in it
	Error         string     `json:"error,omitempty"` // why the image is missing or incomplete
}

// exportIndex is index.json around its entries.
type exportIndex struct {
	Format     string    `json:"format"`
	Username   string    `json:"username"`
	ExportedAt time.Time `json:"exported_at"`
	Complete   bool      `json:"complete"` // false when a mailbox could not be read to its end
	Problems   []string  `json:"problems"`
	Count      int       `json:"count"`
}

// StartExport does what can still fail with a proper error answer, before
// the zip's first byte: the first page of the inbox and the index spool.
// The caller writes the zip with WriteZip, then closes the Export. how
// names the session that asked, for the decrypt record; every unwrap the
// export makes is recorded as the export, whatever purpose how says.
func (s *Service) StartExport(ctx context.Context, u imageapp.User, how ...Access) (*Export, error) {
	a := accessOf(u, imageapp.PurposeExport, how)
	a.Purpose = imageapp.PurposeExport
	first, err := s.List(ctx, u, exportQuery(imageapp.Inbox, ""))
	if err != nil {
		return nil, err
	}
	index, err := newIndexSpool()
	if err != nil {
		return nil, err
	}
	return &Export{svc: s, ctx: ctx, user: u, how: a, index: index, first: first}, nil
}

func exportQuery(box imageapp.Box, cursor string) imageapp.MessageQuery {
	return imageapp.MessageQuery{Box: box, Status: imageapp.AllMessages, Cursor: cursor, Limit: exportPageSize}
}

// Export is one person's export, written once.
type Export struct {
	svc   *Service
	ctx   context.Context
	user  imageapp.User
	how   Access // who asked, for the decrypt record
	index *indexSpool
	first imageapp.MessagePage // the inbox's, read before the response began
	zw    *zip.Writer

	count    int
	problems []string // at most one a mailbox
}

// WriteZip writes the zip to w; an error means the client can no longer be
// written to (or left), and the export must stop.
func (e *Export) WriteZip(w io.Writer) error {
	e.zw = zip.NewWriter(w)
	if err := e.box(imageapp.Inbox, &e.first); err != nil {
		return err
	}
	if err := e.box(imageapp.Sent, nil); err != nil {
		return err
	}
	if err := e.writeRecord(); err != nil {
		return err
	}
	if err := e.writeIndex(); err != nil {
		return err
	}
	return e.zw.Close()
}

// Close frees what the export holds, whether or not it was written.
func (e *Export) Close() { e.index.close() }

// box exports a mailbox page by page, starting from page when it was read
// already. A page that cannot be read ends that mailbox's part of the
// export, and the index says so.
func (e *Export) box(box imageapp.Box, page *imageapp.MessagePage) error {
	for cursor := ""; ; {
		if page == nil {
			p, err := e.svc.List(e.ctx, e.user, exportQuery(box, cursor))
			if err := e.ctx.Err(); err != nil {
				return err
			}
			if err != nil {
				e.svc.log().ErrorContext(e.ctx, "export: read a mailbox page", "user_id", e.user.ID, "box", box, "err", err)
				e.problems = append(e.problems, fmt.Sprintf("The %s could not be read to its end: %d messages from it are in the export; export again later for the rest.", boxName(box), e.countOf(box)))
				return nil
			}
			page = &p
		}
		for _, m := range page.Messages {
			if err := e.message(box, m); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		cursor, page = page.Next, nil
	}
}

func boxName(box imageapp.Box) string {
	if box == imageapp.Sent {
		return "sent box"
	}
	return "inbox"
}

// countOf is how many messages of box are in the index so far.
func (e *Export) countOf(box imageapp.Box) int {
	if box == imageapp.Sent {
		return e.count - e.index.received
	}
	return e.count
}

// message adds one message: its image to the zip, its record to the index.
// An image that cannot be decrypted is left out (or, when it fails part way,
// left incomplete) and its record says why; the export goes on.
func (e *Export) message(box imageapp.Box, m *imageapp.Message) error {
	if err := e.ctx.Err(); err != nil {
		return err
	}
	entry := entryOf(e.user, box, m)
	err := e.image(&entry)
	if cerr := e.ctx.Err(); cerr != nil {
		return cerr // the client left: what failed is no fault of the image
	}
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return nil // deleted since the page was read: it is not the person's any more
	}
	var wf *writeFailure
	if errors.As(err, &wf) {
		return wf.err
	}
	if err != nil {
		e.svc.log().ErrorContext(e.ctx, "export: an image left out", "message_id", m.ID, "err", err)
		entry.Error = imageapp.ErrorMessage(err)
	}
	e.count++
	if box == imageapp.Inbox {
		e.index.received++
	}
	return e.index.add(entry)
}

// writeFailure is a write to the client that failed: the export stops.
type writeFailure struct{ err error }

func (w *writeFailure) Error() string { return w.err.Error() }

// image decrypts the message's caption, file name and image into entry and
// the zip. A failure after the image's first bytes went out leaves the
// entry's path set and its error saying the file is incomplete.
func (e *Export) image(entry *exportEntry) error {
	meta, err := e.svc.ReadMeta(e.ctx, e.user, entry.ID, e.how)
	if err != nil {
		return err
	}
	entry.Caption, entry.Filename = meta.Caption, meta.Filename
	if meta.ViewOnce {
		entry.Error = "This image was sent to be viewed once, in the app: it is not in the export."
		return nil
	}
	img, err := e.svc.OpenImage(e.ctx, e.user, entry.ID, e.how)
	if err != nil {
		return err
	}
	defer img.Close()
	path := zipPath(entry.Direction, meta.Message)
	fw, err := e.zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Store, Modified: meta.CreatedAt})
	if err != nil {
		return &writeFailure{err}
	}
	entry.Path = &path
	src := &readFailure{r: img}
	n, err := io.Copy(fw, src)
	switch {
	case src.err != nil:
		e.svc.log().ErrorContext(e.ctx, "export: an image failed part way; its file is incomplete", "message_id", entry.ID, "err", src.err)
		why := "could not be read from storage"
		if IsAuthError(src.err) {
			why = "failed its integrity check"
		}
		entry.Error = fmt.Sprintf("This image %s after %d of its %d bytes: the file in the export is incomplete.", why, n, entry.Size)
		return nil
	case err != nil:
		return &writeFailure{err}
	}
	return nil
}

// readFailure keeps the error of the image's reads, to tell it from the
// client's.
type readFailure struct {
	r   io.Reader
	err error
}

func (r *readFailure) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

func entryOf(viewer imageapp.User, box imageapp.Box, m *imageapp.Message) exportEntry {
	e := exportEntry{ID: m.ID, Direction: "received", OtherUsername: m.SenderName, SentAt: m.CreatedAt.UTC(),
		ContentType: m.ContentType, Size: m.Size}
	if box == imageapp.Sent {
		e.Direction, e.OtherUsername = "sent", m.RecipientName
	}
	if !m.Unread() {
		at := m.ReadAt.UTC()
		e.OpenedAt = &at
	}
	return e
}

// zipPath is where an image goes in the zip: its direction, its time and
// its ID, so names never repeat, and nothing from the sender's file name,
// so none can climb out of the folder.
func zipPath(direction string, m *imageapp.Message) string {
	id := strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, m.ID)
	return direction + "/" + m.CreatedAt.UTC().Format("2006-01-02T15-04-05Z") + "_" + id + Extension(m.ContentType)
}

// writeIndex writes index.json, the zip's last entry: the header, then the
// records from the spool.
func (e *Export) writeIndex() error {
	head, err := json.Marshal(exportIndex{Format: "imageapp-export-1", Username: e.user.Username, ExportedAt: e.svc.now().UTC(),
		Complete: len(e.problems) == 0, Problems: append([]string{}, e.problems...), Count: e.count})
	if err != nil {
		return err
	}
	records, err := e.index.reader()
	if err != nil {
		e.svc.log().ErrorContext(e.ctx, "export: read the index back", "user_id", e.user.ID, "err", err)
		return err // without its index the zip is not what we promised: break it
	}
	fw, err := e.zw.CreateHeader(&zip.FileHeader{Name: "index.json", Method: zip.Deflate, Modified: e.svc.now()})
	if err != nil {
		return err
	}
	// {"format":…,"count":N,"messages":[ records ]}
	if _, err := fw.Write(append(head[:len(head)-1], `,"messages":[`...)); err != nil {
		return err
	}
	if _, err := io.Copy(fw, records); err != nil {
		return err
	}
	_, err = io.WriteString(fw, "\n]}\n")
	return err
}

// recordFile is the decrypt record's name in the zip: the person's whole
// record as one signed page (decryptlog.Page), which
// go run ./app/cmd/verifyrecord decrypt-record.json checks offline.
const recordFile = "decrypt-record.json"

// writeRecord writes recordFile, after the images and before the index, so that the export's own
// unwraps are in it: the entries still queued are written first. An app
// that keeps no record writes none; a record that cannot be read breaks
// the zip, which would otherwise look whole without it.
func (e *Export) writeRecord() error {
	if e.svc.Record == nil {
		return nil
	}
	if w, ok := e.svc.Record.(interface{ Wait() }); ok {
		w.Wait()
	}
	page, err := e.svc.DecryptRecordFile(e.ctx, e.user)
	if err != nil {
		e.svc.log().ErrorContext(e.ctx, "export: read the decrypt record", "user_id", e.user.ID, "err", err)
		return err
	}
	fw, err := e.zw.CreateHeader(&zip.FileHeader{Name: recordFile, Method: zip.Deflate, Modified: e.svc.now()})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(fw)
	enc.SetIndent("", " ")
	return enc.Encode(page)
}

// indexSpool keeps index records in an envelope spool until the index is
// written: JSON objects separated by commas.
type indexSpool struct {
	sp       *UploadSpool
	pw       *io.PipeWriter
	done     chan error
	n        int
	received int // how many of the records are of the inbox
}

func newIndexSpool() (*indexSpool, error) {
	sp, err := NewUploadSpool()
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	x := &indexSpool{sp: sp, pw: pw, done: make(chan error, 1)}
	go func() {
		_, err := sp.ReadFrom(pr)
		pr.CloseWithError(err) // unblocks a writer when the disk failed
		x.done <- err
	}()
	return x, nil
}

func (x *indexSpool) add(e exportEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	sep := ",\n"
	if x.n == 0 {
		sep = "\n"
	}
	x.n++
	if _, err := x.pw.Write(append([]byte(sep), b...)); err != nil {
		return fmt.Errorf("messaging: export index spool: %w", err)
	}
	return nil
}

// reader ends the records and reads them back.
func (x *indexSpool) reader() (io.Reader, error) {
	x.pw.Close()
	err := <-x.done
	x.done <- err // for close
	if err != nil {
		return nil, err
	}
	return x.sp.Reader()
}

// close frees the spool, whether or not it was read.
func (x *indexSpool) close() {
	x.pw.CloseWithError(errors.New("messaging: export ended"))
	<-x.done
	x.sp.Close()
}
