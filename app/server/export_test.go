package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

// exportIndexJSON is index.json as a person's script reads it.
type exportIndexJSON struct {
	Format     string    `json:"format"`
	Username   string    `json:"username"`
	ExportedAt time.Time `json:"exported_at"`
	Complete   bool      `json:"complete"`
	Problems   []string  `json:"problems"`
	Count      int       `json:"count"`
	Messages   []struct {
		ID            string     `json:"id"`
		Direction     string     `json:"direction"`
		OtherUsername string     `json:"other_username"`
		SentAt        time.Time  `json:"sent_at"`
		OpenedAt      *time.Time `json:"opened_at"`
		Caption       string     `json:"caption"`
		Filename      string     `json:"filename"`
		ContentType   string     `json:"content_type"`
		Size          int64      `json:"size"`
		Path          *string    `json:"path"`
		Error         string     `json:"error"`
	} `json:"messages"`
}

// openExport opens a downloaded export: its files by name, and its index,
// which must be the last entry.
func openExport(t *testing.T, body []byte) (map[string][]byte, exportIndexJSON) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the export is not a zip: %v", err)
	}
	files := map[string][]byte{}
	for i, f := range zr.File {
		if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") || strings.Contains(f.Name, `\`) {
			t.Errorf("unsafe name in the zip: %q", f.Name)
		}
		if _, dup := files[f.Name]; dup {
			t.Errorf("%q is in the zip twice", f.Name)
		}
		if f.Name == "index.json" && i != len(zr.File)-1 {
			t.Errorf("index.json is entry %d of %d; want it last", i+1, len(zr.File))
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc) // checks the CRC too
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	var idx exportIndexJSON
	if err := json.Unmarshal(files["index.json"], &idx); err != nil {
		t.Fatalf("index.json: %v: %s", err, files["index.json"])
	}
	return files, idx
}

// sendCaptioned sends img with a caption and file name through the JSON route and
// returns the message ID.
func sendCaptioned(t *testing.T, c *client, to, caption, name string, img []byte) string {
	t.Helper()
	r := c.postMultipart("/api/messages", field("to", to), field("caption", caption), file("image", name, img))
	if r.status != http.StatusCreated {
		t.Fatalf("send to %s: %d %s", to, r.status, r.body)
	}
	var sent struct {
		Message struct{ ID string } `json:"message"`
	}
	if err := json.Unmarshal([]byte(r.body), &sent); err != nil || sent.Message.ID == "" {
		t.Fatalf("send answered %s", r.body)
	}
	return sent.Message.ID
}

// TestExportMyData: alice and bob exchange images both ways (carol sends
// bob one too); each downloads "Export my data", one from the settings
// page's form and one from the API. The zip holds exactly their own images,
// byte for byte, under safe, distinct names, with an index of every field;
// exporting marks nothing read; a third export within the hour is a 429.
func TestExportMyData(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob, carol := app.signUp("alice"), app.signUp("bob"), app.signUp("carol")
	sent := map[string]exportedImage{}
	send := func(c *client, from, to, caption, name string, img []byte) string {
		id := sendCaptioned(t, c, to, caption, name, img)
		sent[id] = exportedImage{from: from, to: to, caption: caption, name: name, img: img}
		return id
	}
	a1 := send(alice, "alice", "bob", "first, from alice", "../../etc/passwd.png", testPNG(t, 40, 30))
	a2 := send(alice, "alice", "bob", "", "beach.png", testPNG(t, 50, 20))
	b1 := send(bob, "bob", "alice", "line one\nline two ✓", "reply.png", testPNG(t, 30, 30))
	c1 := send(carol, "carol", "bob", "carol's secret", "carol.png", testPNG(t, 20, 20))
	r := alice.postMultipart("/api/messages", field("to", "bob"), field("caption", "only once"), field("keep", "once"), file("image", "once.png", testPNG(t, 12, 12)))
	if r.status != http.StatusCreated {
		t.Fatalf("send a view-once image: %d %s", r.status, r.body)
	}
	var once struct {
		Message struct{ ID string } `json:"message"`
	}
	must(t, json.Unmarshal([]byte(r.body), &once))
	v1 := once.Message.ID
	sent[v1] = exportedImage{from: "alice", to: "bob", viewOnce: true}
	if r := bob.get("/api/messages/" + a1); r.status != http.StatusOK { // bob opens one of alice's
		t.Fatalf("bob opens %s: %d", a1, r.status)
	}

	// alice, from the settings page: its card links to the download.
	if r := alice.get("/settings"); !strings.Contains(r.body, `<form method="post" action="/settings/export"`) || !strings.Contains(r.body, "Export my data") {
		t.Errorf("the settings page has no Export my data form: %s", r.body)
	}
	r = alice.postForm("/settings/export", nil)
	checkExportHeaders(t, r, "alice")
	files, idx := openExport(t, []byte(r.body))
	checkExport(t, "alice", files, idx, sent, map[string]bool{a1: true, a2: true, b1: true, v1: true})
	if !app.isUnread(alice, b1) {
		t.Errorf("alice's export marked bob's message read")
	}

	// bob, through the API: carol's image is his, alice's opened one says when.
	r = bob.postForm("/api/me/export", nil)
	checkExportHeaders(t, r, "bob")
	files, idx = openExport(t, []byte(r.body))
	checkExport(t, "bob", files, idx, sent, map[string]bool{a1: true, a2: true, b1: true, c1: true, v1: true})
	for _, m := range idx.Messages {
		if opened := m.OpenedAt != nil; opened != (m.ID == a1) {
			t.Errorf("bob's export: %s opened_at %v; want it set only for the one he opened", m.ID, m.OpenedAt)
		}
	}
	for _, id := range []string{a2, c1, v1} {
		if !app.isUnread(bob, id) {
			t.Errorf("bob's export marked %s read", id)
		}
	}

	// Two exports, then the limit: a page that says so, and JSON under /api/.
	alice.postForm("/api/me/export", nil)
	r = alice.postForm("/settings/export", nil)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Try again in") || r.header.Get("Retry-After") == "" ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("a third export: %d %s, Retry-After %q; want a 429 page that says when", r.status, r.header.Get("Content-Type"), r.header.Get("Retry-After"))
	}
	r = alice.postForm("/api/me/export", nil)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, `"code":"rate_limited"`) {
		t.Errorf("a third export through the API: %d %s; want a 429 in JSON", r.status, r.body)
	}
	if r := app.client().postForm("/api/me/export", nil); r.status != http.StatusUnauthorized {
		t.Errorf("an export without a session: %d; want 401", r.status)
	}
}

func checkExportHeaders(t *testing.T, r response, username string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s's export: %d %s", username, r.status, r.body)
	}
	want := `attachment; filename="imageapp-` + username + "-" + time.Now().UTC().Format("2006-01-02") + `.zip"`
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, want) {
		t.Errorf("Content-Disposition %q; want it to start with %q", cd, want)
	}
	if ct, cc := r.header.Get("Content-Type"), r.header.Get("Cache-Control"); ct != "application/zip" || cc != "no-store" {
		t.Errorf("Content-Type %q, Cache-Control %q; want application/zip, no-store", ct, cc)
	}
}

// checkExport checks the export of username against what was sent: the
// messages of want, each image byte for byte at its path, every field.
// exportedImage is what a test sent, to compare an export with.
type exportedImage struct {
	from, to, caption, name string
	img                     []byte
	viewOnce                bool // neither its image nor its caption may be exported
}

func checkExport(t *testing.T, username string, files map[string][]byte, idx exportIndexJSON, sent map[string]exportedImage, want map[string]bool) {
	t.Helper()
	if idx.Username != username || !idx.Complete || len(idx.Problems) != 0 || idx.Count != len(want) || idx.Format == "" {
		t.Errorf("%s's index: user %q, complete %v %v, count %d; want %d messages, complete", username, idx.Username, idx.Complete, idx.Problems, idx.Count, len(want))
	}
	images := 0
	for id := range want {
		if !sent[id].viewOnce {
			images++
		}
	}
	if _, ok := files["decrypt-record.json"]; !ok {
		t.Errorf("%s's export has no decrypt-record.json", username)
	}
	if len(idx.Messages) != len(want) || len(files) != images+2 {
		t.Fatalf("%s's export holds %d records and %d files; want %d records, %d images, decrypt-record.json and index.json", username, len(idx.Messages), len(files), len(want), images)
	}
	for _, m := range idx.Messages {
		sm, ok := sent[m.ID]
		if !ok || !want[m.ID] {
			t.Errorf("%s's export holds %s, not theirs", username, m.ID)
			continue
		}
		if sm.viewOnce {
			if m.Path != nil || m.Caption != "" || m.Filename != "" || !strings.Contains(m.Error, "viewed once") {
				t.Errorf("%s's record of the view-once %s: %+v; want no image, no caption, and why", username, m.ID, m)
			}
			continue
		}
		dir, other := "received", sm.from
		if sm.from == username {
			dir, other = "sent", sm.to
		}
		wantName := sm.name
		if i := strings.LastIndex(wantName, "/"); i >= 0 {
			wantName = wantName[i+1:] // the service keeps base names only
		}
		if m.Direction != dir || m.OtherUsername != other || m.Caption != sm.caption || m.Filename != wantName ||
			m.ContentType != "image/png" || m.Size != int64(len(sm.img)) || m.SentAt.IsZero() || time.Since(m.SentAt) > time.Hour || m.Error != "" {
			t.Errorf("%s's record of %s: %+v; want %s with %s, caption %q, file %q, %d bytes", username, m.ID, m, dir, other, sm.caption, wantName, len(sm.img))
		}
		if m.Path == nil || !strings.HasPrefix(*m.Path, dir+"/") || !strings.HasSuffix(*m.Path, "_"+m.ID+".png") {
			t.Errorf("%s's record of %s has path %v; want %s/<time>_<id>.png", username, m.ID, m.Path, dir)
			continue
		}
		if !bytes.Equal(files[*m.Path], sm.img) {
			t.Errorf("%s's %s: %d bytes differ from the %d sent", username, *m.Path, len(files[*m.Path]), len(sm.img))
		}
	}
}

// isUnread reports whether id is among c's unread messages.
func (a *testApp) isUnread(c *client, id string) bool {
	a.t.Helper()
	r := c.get("/api/messages?box=inbox&status=unread")
	if r.status != http.StatusOK {
		a.t.Fatalf("unread messages: %d %s", r.status, r.body)
	}
	return strings.Contains(r.body, `"`+id+`"`)
}

// countingBlobs counts the blobs opened and the ciphertext bytes read.
type countingBlobs struct {
	imageapp.Blobs
	opened, read atomic.Int64
}

func (c *countingBlobs) Blob(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := c.Blobs.Blob(ctx, key)
	if err != nil {
		return nil, err
	}
	c.opened.Add(1)
	return &countingReader{ReadCloser: rc, n: &c.read}, nil
}

type countingReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestExportStreams: the export is written as it is read. A client that
// reads the first KiB and then stops holds the server to what the socket
// buffers take: a server that built the zip (or any image) whole first
// would have read every blob before the first byte went out. Its receive
// buffer is set small, so the bound is the server's send buffer (at most
// 4 MiB, net.ipv4.tcp_wmem) plus one image, far below the 30 MiB stored.
func TestExportStreams(t *testing.T) {
	blobs := &countingBlobs{}
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) {
		blobs.Blobs = p.Blobs
		p.Blobs = blobs
	})
	alice := app.signUp("alice")
	app.signUp("bob")
	const n = 30
	sender, err := app.backend.Users.UserByUsername(context.Background(), "bob")
	must(t, err)
	images := map[string][]byte{}
	for i := range n {
		img := imageapptest.NoisePNGOfSize(1<<20, uint64(i+1))
		m, err := app.app.Messaging().Send(context.Background(), sender, messaging.SendInput{To: "alice", Body: bytes.NewReader(img)})
		must(t, err)
		images[m.ID] = img
	}
	app.previewsMade() // their reads of the blobs are not the export's
	blobs.opened.Store(0)
	blobs.read.Store(0)
	var stored int64
	for _, img := range images {
		stored += int64(len(img))
	}

	slow := &http.Client{Jar: alice.http.Jar, Transport: &http.Transport{
		DisableCompression: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil {
				err = conn.(*net.TCPConn).SetReadBuffer(64 << 10)
			}
			return conn, err
		},
	}}
	resp, err := slow.Post(app.server.URL+"/api/me/export", "", nil)
	must(t, err)
	defer resp.Body.Close()
	head := make([]byte, 1024)
	if _, err := io.ReadFull(resp.Body, head); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the first KiB of the export: %d, %v", resp.StatusCode, err)
	}
	read := settle(&blobs.read)
	t.Logf("with the client stalled after 1 KiB: %d of %d blobs opened, %.1f MiB of %.1f MiB read",
		blobs.opened.Load(), n, float64(read)/(1<<20), float64(stored)/(1<<20))
	if read > 10<<20 || blobs.opened.Load() >= n {
		t.Errorf("the server read %d bytes of %d blobs before its client took more than 1 KiB; a streamed export reads a few MiB", read, blobs.opened.Load())
	}

	rest, err := io.ReadAll(resp.Body)
	must(t, err)
	files, idx := openExport(t, append(head, rest...))
	if idx.Count != n || len(files) != n+2 {
		t.Fatalf("the export holds %d records and %d files; want %d, decrypt-record.json and index.json", idx.Count, len(files), n)
	}
	for _, m := range idx.Messages {
		if m.Path == nil || !bytes.Equal(files[*m.Path], images[m.ID]) {
			t.Errorf("%s: the exported image is not the one sent", m.ID)
		}
	}
}

// settle waits until c stops growing (the server is blocked on its
// client) and returns it.
func settle(c *atomic.Int64) int64 {
	last := c.Load()
	for range 50 {
		time.Sleep(100 * time.Millisecond)
		now := c.Load()
		if now == last {
			time.Sleep(200 * time.Millisecond)
			if c.Load() == now {
				return now
			}
		}
		last = c.Load()
	}
	return last
}

// failingPages fails listing one mailbox, when told which.
type failingPages struct {
	imageapp.MessageStore
	box atomic.Value // imageapp.Box
}

var errPagesDown = errors.New("test: the message store is down")

func (f *failingPages) Messages(ctx context.Context, q imageapp.MessageQuery) (imageapp.MessagePage, error) {
	if b, _ := f.box.Load().(imageapp.Box); b == q.Box {
		return imageapp.MessagePage{}, errPagesDown
	}
	return f.MessageStore.Messages(ctx, q)
}

// TestExportFaults: an image whose blob was altered at its start is left
// out, one altered past its first segment is cut where it stopped
// authenticating, and a mailbox that cannot be read past a page is named in
// the index: the zip is still whole, and each failure is in the index. A
// store that fails before the first byte gets a proper error answer.
func TestExportFaults(t *testing.T) {
	pages := &failingPages{}
	dir := t.TempDir()
	app := startAppWrapped(t, dir, func(p *imageapp.Ports) {
		pages.MessageStore = p.Messages
		p.Messages = pages
	})
	alice, bob := app.signUp("alice"), app.signUp("bob")
	big := imageapptest.NoisePNGOfSize(300<<10, 7) // several 64 KiB segments
	good := sendCaptioned(t, bob, "alice", "fine", "good.png", testPNG(t, 20, 20))
	early := sendCaptioned(t, bob, "alice", "altered at the start", "early.png", testPNG(t, 30, 30))
	late := sendCaptioned(t, bob, "alice", "altered later", "late.png", big)
	sendCaptioned(t, alice, "bob", "one of alice's", "mine.png", testPNG(t, 10, 10))
	flipByte(t, filepath.Join(dir, "blobs", early[:2], early), 40)
	flipByte(t, filepath.Join(dir, "blobs", late[:2], late), 200<<10)
	pages.box.Store(imageapp.Sent)

	r := alice.postForm("/api/me/export", nil)
	if r.status != http.StatusOK {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	files, idx := openExport(t, []byte(r.body))
	if idx.Complete || len(idx.Problems) != 1 || !strings.Contains(idx.Problems[0], "sent box") {
		t.Errorf("index: complete %v, problems %q; want the sent box named", idx.Complete, idx.Problems)
	}
	byID := map[string]int{}
	for i, m := range idx.Messages {
		byID[m.ID] = i
	}
	if len(idx.Messages) != 3 {
		t.Fatalf("index holds %d records; want the 3 received", len(idx.Messages))
	}
	if m := idx.Messages[byID[good]]; m.Error != "" || m.Path == nil || len(files[*m.Path]) == 0 {
		t.Errorf("the good image: %+v", m)
	}
	if m := idx.Messages[byID[early]]; m.Path != nil || !strings.Contains(m.Error, "integrity") || m.Caption != "altered at the start" {
		t.Errorf("the image altered at its start: %+v; want no path and an integrity error", m)
	}
	if m := idx.Messages[byID[late]]; m.Path == nil || !strings.Contains(m.Error, "incomplete") ||
		len(files[*m.Path]) == 0 || !bytes.HasPrefix(big, files[*m.Path]) || len(files[*m.Path]) >= len(big) {
		t.Errorf("the image altered past its first segment: %+v; want a cut file and an error", m)
	}
	if !strings.Contains(app.logText(), "export: an image left out") {
		t.Errorf("the left-out image was not logged")
	}

	// Before the first byte: a proper error, as JSON and as a page.
	pages.box.Store(imageapp.Inbox)
	r = alice.postForm("/api/me/export", nil)
	if r.status != http.StatusInternalServerError || !strings.Contains(r.body, `"error"`) || r.header.Get("Content-Disposition") != "" {
		t.Errorf("export with the store down: %d %s %q; want a JSON 500 and no attachment", r.status, r.body, r.header.Get("Content-Disposition"))
	}
}

// flipByte alters one byte of a file, as a damaged disk or an attacker would.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	must(t, err)
	defer f.Close()
	b := make([]byte, 1)
	_, err = f.ReadAt(b, off)
	must(t, err)
	b[0] ^= 0xff
	_, err = f.WriteAt(b, off)
	must(t, err)
}

// TestALinkNeverSpendsTheExportBudget: opening /settings/export (a link,
// an image tag, a bookmark) shows the settings page with the export button
// and starts nothing; the JSON route refuses a GET; another site's POST is
// refused. After all of that, the two exports the budget allows still work.
func TestALinkNeverSpendsTheExportBudget(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	app.signUp("bob")
	sendAPI(t, alice, "bob", testPNG(t, 8, 8))

	for range 3 {
		r := alice.get("/settings/export")
		if r.status != http.StatusOK || r.url != "/settings" || !strings.Contains(r.body, `<form method="post" action="/settings/export"`) {
			t.Fatalf("GET /settings/export: %d at %s; want the settings page with the export form", r.status, r.url)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("GET /settings/export answered %s; want a page, not an export", ct)
		}
		if r := alice.get("/api/me/export"); r.status != http.StatusMethodNotAllowed || !strings.Contains(r.body, `"code"`) {
			t.Fatalf("GET /api/me/export: %d %.200s; want a 405 in JSON", r.status, r.body)
		}
	}
	for _, path := range []string{"/settings/export", "/api/me/export"} {
		req, _ := http.NewRequest(http.MethodPost, app.server.URL+path, nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://elsewhere.example")
		if r := alice.do(req); r.status != http.StatusForbidden {
			t.Errorf("another site's POST %s: %d; want 403", path, r.status)
		}
	}
	for i, path := range []string{"/settings/export", "/api/me/export"} {
		if r := alice.postForm(path, nil); r.status != http.StatusOK || r.header.Get("Content-Type") != "application/zip" {
			t.Errorf("export %d (POST %s) after the GETs: %d %.200s; want a zip, the budget unspent", i+1, path, r.status, r.body)
		}
	}
}
