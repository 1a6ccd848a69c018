package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

// holdPreviews starts an app whose preview reads of a blob (the only
// Blobs.Blob calls a send makes) wait on hold while it is set.
func holdPreviews(t *testing.T, hold func()) (*testApp, *atomic.Bool) {
	t.Helper()
	var holding atomic.Bool
	holding.Store(true)
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) {
		imageapptest.Wrap(p).Set(func(ctx context.Context, op imageapptest.Op, next func() error) error {
			if op == imageapptest.GetBlob && holding.Load() {
				hold()
			}
			return next()
		}, nil)
	})
	return app, &holding
}

// postImage sends img as the React client does and returns the status and
// the message's ID, without waiting for its preview as client.do does.
func postImage(t *testing.T, c *client, to string, img []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	must(t, mw.WriteField("to", to))
	fw, err := mw.CreateFormFile("image", "photo.png")
	must(t, err)
	_, err = fw.Write(img)
	must(t, err)
	must(t, mw.Close())
	req, _ := http.NewRequest(http.MethodPost, c.app.server.URL+"/api/messages", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	hc := *c.http
	hc.Timeout = 30 * time.Second // a send that waited for its preview would never answer
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("send to %s: %v", to, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var sent struct{ Message struct{ ID string } }
	_ = json.Unmarshal(raw, &sent)
	return resp.StatusCode, sent.Message.ID
}

// thumbnailOf is the thumbnail bob's inbox JSON lists for message id.
func thumbnailOf(t *testing.T, c *client, id string) (listed bool, thumb string) {
	t.Helper()
	var page struct {
		Messages []struct{ ID, Thumbnail string }
	}
	decode(t, c.get("/api/messages"), &page)
	for _, m := range page.Messages {
		if m.ID == id {
			return true, m.Thumbnail
		}
	}
	return false, ""
}

// TestSendAnswersBeforeItsPreview: a send answers once its image and row
// are stored, whatever its preview does: with the preview's read of the
// blob held for ever, the send still gets its 201, the image opens, and
// the preview comes by itself once it can be made.
func TestSendAnswersBeforeItsPreview(t *testing.T) {
	release := make(chan struct{})
	var released sync.Once
	letGo := func() {
		released.Do(func() { close(release) })
	}
	app, holding := holdPreviews(t, func() { <-release })
	t.Cleanup(func() { // before the app stops (cleanups run last first)
		holding.Store(false)
		letGo()
	})
	alice, bob := app.signUp("alice"), app.signUp("bob")

	status, id := postImage(t, alice, "bob", testPNG(t, 300, 200))
	if status != http.StatusCreated || id == "" {
		t.Fatalf("a send whose preview is held: %d (id %q); want 201", status, id)
	}
	if listed, thumb := thumbnailOf(t, bob, id); !listed || thumb != "" {
		t.Fatalf("before its preview is made the message is listed %v with thumbnail %.30q; want listed without", listed, thumb)
	}
	holding.Store(false)
	letGo()
	app.previewsMade()
	if _, thumb := thumbnailOf(t, bob, id); thumb == "" {
		t.Error("the preview was not made after the send answered")
	}
}

// TestLiveEventCarriesThePreview: the recipient's live event waits for the
// preview (up to about a second), so an open inbox that reloads on it
// shows the new row with its thumbnail at once, not without and then with.
// A preview that takes longer does not hold the event back.
func TestLiveEventCarriesThePreview(t *testing.T) {
	var slow atomic.Bool // a preview that never comes, instead of one that is a little slow
	release := make(chan struct{})
	app, _ := holdPreviews(t, func() {
		if slow.Load() {
			<-release
			return
		}
		time.Sleep(300 * time.Millisecond) // longer than a send takes to publish, well under the hold
	})
	t.Cleanup(func() { close(release) })
	alice, bob := app.signUp("alice"), app.signUp("bob")
	bobs := bob.stream("/api/events", nil)
	bobs.connected(true)

	status, id := postImage(t, alice, "bob", testPNG(t, 300, 200))
	if status != http.StatusCreated {
		t.Fatalf("send: %d", status)
	}
	if d := bobs.expect("inbox", 5*time.Second).json(t); d.Kind != "message" || d.ID != id {
		t.Fatalf("bob's event %+v; want the new message %s", d, id)
	}
	if _, thumb := thumbnailOf(t, bob, id); thumb == "" {
		t.Error("when bob's live event arrived, his inbox listed the message without its thumbnail")
	}

	slow.Store(true)
	status, id = postImage(t, alice, "bob", testPNG(t, 300, 200))
	if status != http.StatusCreated {
		t.Fatalf("send: %d", status)
	}
	if d := bobs.expect("inbox", 5*time.Second).json(t); d.Kind != "message" || d.ID != id {
		t.Fatalf("with its preview held for ever, bob's event %+v; want the new message %s anyway", d, id)
	}
}

// TestPreviewsLetSendsGoFirst: a queued preview waits while a send is
// under way on the instance, since a preview costs several sends' CPU and
// a sender is waiting for the answer; but only for a while, so a steady
// stream of sends cannot starve the previews.
func TestPreviewsLetSendsGoFirst(t *testing.T) {
	previewRead := make(chan struct{}, 16)
	stored := make(chan struct{}, 16)
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) {
		imageapptest.Wrap(p).Set(func(ctx context.Context, op imageapptest.Op, next func() error) error {
			switch op {
			case imageapptest.GetBlob: // only a preview reads a blob back during a send
				previewRead <- struct{}{}
			case imageapptest.PutBlob:
				stored <- struct{}{}
			}
			return next()
		}, nil)
	})
	alice, _ := app.signUp("alice"), app.signUp("bob")
	queue := app.app.Messaging().Previewing

	for _, c := range []struct {
		name      string
		yield     time.Duration
		madeEarly bool // made while the slow send is still under way
	}{
		{"within the yield", time.Minute, false},
		{"past the yield", 50 * time.Millisecond, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			queue.SetYield(c.yield)
			slow, finish := startSlowSend(t, alice, "bob", testPNG(t, 600, 400))
			<-stored // the slow send is storing its blob, its body not all read
			if status, id := postImage(t, alice, "bob", testPNG(t, 300, 200)); status != http.StatusCreated || id == "" {
				t.Fatalf("a send while another is under way: %d; want 201", status)
			}
			<-stored
			select {
			case <-previewRead:
				if !c.madeEarly {
					t.Fatal("a preview was made while a send was under way, within the yield")
				}
			case <-time.After(500 * time.Millisecond):
				if c.madeEarly {
					t.Fatal("a preview still waits for a send past its yield")
				}
			}
			finish()
			if status := <-slow; status != http.StatusCreated {
				t.Fatalf("the slow send: %d; want 201", status)
			}
			app.previewsMade()
			for len(previewRead) > 0 {
				<-previewRead
			}
		})
	}
}

// TestPreviewUnderWayPausesForASend: a preview that began decoding with no
// send under way pauses at its next read of the image when a send starts,
// within the same yield, and finishes once the send is done: the send gets
// the cores instead of racing a decode several times its cost.
func TestPreviewUnderWayPausesForASend(t *testing.T) {
	decoding := make(chan struct{})
	gate := make(chan struct{})
	var first atomic.Bool
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) {
		imageapptest.Wrap(p).Set(nil, func(op imageapptest.Op, r io.Reader) io.Reader {
			if op != imageapptest.GetBlob || !first.CompareAndSwap(false, true) {
				return r
			}
			return &gatedReader{r: r, decoding: decoding, gate: gate}
		})
	})
	alice, _ := app.signUp("alice"), app.signUp("bob")
	queue := app.app.Messaging().Previewing
	queue.SetYield(time.Minute)

	if status, _ := postImage(t, alice, "bob", testPNG(t, 600, 400)); status != http.StatusCreated {
		t.Fatalf("send: %d; want 201", status)
	}
	<-decoding // the preview is past its yield (no send then) and reading the image
	slow, finish := startSlowSend(t, alice, "bob", testPNG(t, 300, 200))
	for deadline := time.Now().Add(10 * time.Second); queue.SendsUnderWay() != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the slow send is not under way: %d sends", queue.SendsUnderWay())
		}
	}
	close(gate)
	made := make(chan struct{})
	go func() { queue.Wait(); close(made) }()
	select {
	case <-made:
		t.Fatal("a preview under way went on decoding while a send was under way, within its yield")
	case <-time.After(500 * time.Millisecond):
	}
	finish()
	if status := <-slow; status != http.StatusCreated {
		t.Fatalf("the slow send: %d; want 201", status)
	}
	select {
	case <-made:
	case <-time.After(10 * time.Second):
		t.Fatal("the paused preview was not made once the send was done")
	}
}

// gatedReader is a preview's read of a blob: past its first encrypted
// segment (64 KiB: the header is read, and the decode has begun on the
// first segment) it says so on decoding and waits for gate.
type gatedReader struct {
	r        io.Reader
	n        int
	decoding chan struct{}
	gate     chan struct{}
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if g.n >= 64<<10 && g.decoding != nil {
		close(g.decoding)
		g.decoding = nil
		<-g.gate
	}
	n, err := g.r.Read(p)
	g.n += n
	return n, err
}

// startSlowSend posts img to to as the React client does, with the body
// held open after its first kilobyte of image until finish is called; the
// answer's status comes on the channel.
func startSlowSend(t *testing.T, c *client, to string, img []byte) (<-chan int, func()) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, _ := http.NewRequest(http.MethodPost, c.app.server.URL+"/api/messages", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	status := make(chan int, 1)
	go func() {
		resp, err := c.http.Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	must(t, mw.WriteField("to", to))
	fw, err := mw.CreateFormFile("image", "slow.png")
	must(t, err)
	_, err = fw.Write(img[:1024])
	must(t, err)
	rest := sync.OnceFunc(func() {
		_, err := fw.Write(img[1024:])
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	})
	t.Cleanup(rest)
	return status, rest
}

// TestPreviewLetsTheAnswerLand: a preview does not start the moment its
// send's answer is flushed but answerGrace (20 ms) later, so the sender's
// client, which may share the cores, takes the answer in first. The bound
// is from before the request was sent, so a slow machine can only make it
// pass, never fail.
func TestPreviewLetsTheAnswerLand(t *testing.T) {
	var firstRead atomic.Int64
	app, _ := holdPreviews(t, func() { firstRead.CompareAndSwap(0, time.Now().UnixNano()) })
	alice, _ := app.signUp("alice"), app.signUp("bob")
	img := testPNG(t, 300, 200)
	sent := time.Now()
	if status, _ := postImage(t, alice, "bob", img); status != http.StatusCreated {
		t.Fatalf("send: %d", status)
	}
	app.previewsMade()
	if firstRead.Load() == 0 {
		t.Fatal("the preview never read the image")
	}
	if d := time.Unix(0, firstRead.Load()).Sub(sent); d < 20*time.Millisecond {
		t.Errorf("the preview read the image %v after the send began; want at least 20ms after its answer", d)
	}
}

// TestNotificationWaitsForTheAnswer: a send's notification mail (a file
// written and fsynced, or an SNS call) is sent once the send's answer is
// written, not while the answer's last steps run.
func TestNotificationWaitsForTheAnswer(t *testing.T) {
	app, notified := countCalls(t, imageapptest.Notify)
	app.signUp("alice")
	app.signUp("bob")
	svc := app.app.Messaging()
	alice, err := svc.Users.UserByUsername(t.Context(), "alice")
	must(t, err)
	before := notified.Load() // the sign-ups' codes went by mail too
	answered := make(chan struct{})
	if _, err := svc.Send(t.Context(), alice, messaging.SendInput{To: "bob", Filename: "a.png",
		Body: bytes.NewReader(testPNG(t, 8, 8)), Answered: answered}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // long enough for a mail sent at once
	if n := notified.Load() - before; n != 0 {
		t.Fatalf("%d notifications before the answer was written; want none", n)
	}
	close(answered)
	deadline := time.Now().Add(10 * time.Second)
	for notified.Load() == before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if notified.Load() == before {
		t.Error("no notification after the answer was written")
	}
}
