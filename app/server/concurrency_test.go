package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// TestConcurrentSends: 50 senders × 20 messages each to overlapping
// recipients on one real SQLite file and blob directory give exactly 1000
// messages, each opening to its original bytes (run under -race in CI).
func TestConcurrentSends(t *testing.T) {
	const senders, perSender, recipients = 50, 20, 10
	cfg := testConfig(t, t.TempDir())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	app, err := Open(ctx, cfg, log)
	must(t, err)
	defer app.Close()
	svc, b := app.Messaging(), app.backend

	users := make([]imageapp.User, senders+recipients)
	for i := range users {
		u, err := b.provisioner()(ctx, imageapp.User{ID: fmt.Sprintf("user-%02d", i), Username: fmt.Sprintf("user%02d", i), Email: fmt.Sprintf("u%d@example.com", i)})
		must(t, err)
		users[i] = u
	}

	var mu sync.Mutex
	sent := map[string][]byte{}
	var wg sync.WaitGroup
	errs := make(chan error, senders*perSender)
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for j := 0; j < perSender; j++ {
				to := users[senders+(s+j)%recipients]
				img := testPNG(t, 4+s%7, 4+j)
				m, err := svc.Send(ctx, users[s], messaging.SendInput{To: to.Username, Filename: "x.png", Body: bytes.NewReader(img)})
				if err != nil {
					errs <- fmt.Errorf("sender %d message %d: %w", s, j, err)
					continue
				}
				mu.Lock()
				sent[m.ID] = img
				mu.Unlock()
			}
		}(s)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(sent) != senders*perSender {
		t.Fatalf("%d messages sent, want %d", len(sent), senders*perSender)
	}

	total := 0
	for _, r := range users[senders:] {
		cursor := ""
		for {
			page, err := svc.List(ctx, r, imageapp.MessageQuery{Box: imageapp.Inbox, Cursor: cursor, Limit: 37})
			must(t, err)
			for _, m := range page.Messages {
				want, ok := sent[m.ID]
				if !ok {
					t.Fatalf("inbox lists a message nobody sent: %s", m.ID)
				}
				img, err := svc.OpenImage(ctx, r, m.ID)
				must(t, err)
				got, err := io.ReadAll(img)
				img.Close()
				must(t, err)
				if !bytes.Equal(got, want) {
					t.Fatalf("message %s opens to other bytes", m.ID)
				}
				delete(sent, m.ID) // each exactly once across pages
				total++
			}
			if page.Next == "" {
				break
			}
			cursor = page.Next
		}
	}
	if total != senders*perSender || len(sent) != 0 {
		t.Fatalf("listed %d messages (%d never listed), want exactly %d", total, len(sent), senders*perSender)
	}
}
