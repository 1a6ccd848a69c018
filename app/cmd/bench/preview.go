package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// Previews are made after a send has answered, by the app's preview queue
// (messaging.PreviewQueue: 2 workers, decodes bounded by a byte budget per
// instance). This phase weighs the workers' peak heap on each input, and
// times how long after its answer a send's preview is stored while other
// sends run.

// previewStamps is the app's message store with SetPreviews noted: when
// each message's previews were stored, and how big the recipient's sealed
// preview was (a caption-only preview seals a few dozen bytes; one with a
// thumbnail, kilobytes). Every other call goes straight through.
type previewStamps struct {
	imageapp.MessageStore
	mu    sync.Mutex
	at    map[string]time.Time
	n     map[string]int
	count int // previews stored so far
}

func (p *previewStamps) SetPreviews(ctx context.Context, id string, recipient, sender []byte) error {
	err := p.MessageStore.SetPreviews(ctx, id, recipient, sender)
	if err == nil {
		p.mu.Lock()
		p.at[id] = time.Now()
		if p.n == nil {
			p.n = map[string]int{}
		}
		p.n[id] = len(recipient)
		p.count++
		p.mu.Unlock()
	}
	return err
}

// stored says when message id's previews were stored, and forgets it.
func (p *previewStamps) stored(id string) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.at[id]
	delete(p.at, id)
	return at, ok
}

// made counts the previews stored so far, and forgets when each was.
func (p *previewStamps) made() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.at)
	clear(p.n)
	return p.count
}

// withThumbnail says whether message id's stored preview held a thumbnail.
func (p *previewStamps) withThumbnail(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.n[id]
	delete(p.n, id)
	return n > thumbnailSealedMin
}

// thumbnailSealedMin tells a sealed preview with a thumbnail (≥ ~1 KB of
// JPEG) from a caption-only one (the empty caption, sealed: < 200 B).
const thumbnailSealedMin = 512

// blobGate is the app's blob store with a gate on reading: while closed,
// a Blob call (a preview reading the image back; no view runs meanwhile)
// waits for it to open. The send phase closes it around a send so that the
// preview starts once the client has its answer, as it would with a client
// on another machine, rather than on the cores the in-process client needs
// to read the answer.
type blobGate struct {
	imageapp.Blobs
	mu   sync.Mutex
	open chan struct{} // nil: open
}

func (g *blobGate) Blob(ctx context.Context, id string) (io.ReadCloser, error) {
	g.mu.Lock()
	wait := g.open
	g.mu.Unlock()
	if wait != nil {
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.Blobs.Blob(ctx, id)
}

// hold closes the gate until the returned func opens it.
func (g *blobGate) hold() (release func()) {
	ch := make(chan struct{})
	g.mu.Lock()
	g.open = ch
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		g.open = nil
		g.mu.Unlock()
		close(ch)
	}
}

// settle waits for what the app does after its answers: the notification
// mails and the hand-offs to the preview queue (Notifying), then the
// previews. Nothing timed may run meanwhile.
func (e *benchEnv) settle() {
	if e.svc.Notifying != nil {
		e.svc.Notifying.Wait()
	}
	e.svc.Previewing.Wait()
}

// previewInput is one input of the peak measure, sent copies times at once.
type previewInput struct {
	sc     sizeCase
	copies int
}

func (e *benchEnv) phasePreview(ctx context.Context, rep *benchReport) error {
	alice, err := e.users.UserByUsername(ctx, "alice")
	if err != nil {
		return err
	}
	inputs := []previewInput{
		{e.photo, 1}, {e.shot, 1}, {e.sizes[1], 1}, {e.sizes[len(e.sizes)-1], 1}, {e.bomb, 4},
	}
	if !e.o.Short { // 16 MP whatever the run: -short keeps to small pixels
		inputs = append(inputs, previewInput{e.progressive, 4})
	}
	reps := pick(e.o.Short, 1, 3)
	for _, in := range inputs {
		e.progress("preview peak: %s × %d at once, %d repetitions", in.sc.label, in.copies, reps)
		row, err := e.previewPeakRow(ctx, alice, in, reps)
		if err != nil {
			return fmt.Errorf("preview %s: %w", in.sc.label, err)
		}
		rep.Rows = append(rep.Rows, row)
	}
	row, err := e.previewLatencyRow()
	if err != nil {
		return fmt.Errorf("preview latency: %w", err)
	}
	rep.Rows = append(rep.Rows, row)
	rep.Notes = append(rep.Notes, e.previewNote(reps))
	return nil
}

// previewPeakRow sends in.copies of the input at once through the app's
// own service, holding their answers (SendInput.Answered) so that no
// preview starts yet; then, after a GC, lets them go and samples the heap
// until the queue is done (Previewing.Wait): the peak growth over that
// idle level is the workers' (the sends' buffers are gone by then).
func (e *benchEnv) previewPeakRow(ctx context.Context, alice imageapp.User, in previewInput, reps int) (benchRow, error) {
	var peaks []memSample
	var took []time.Duration
	thumbs := 0
	for range reps {
		answered := make(chan struct{})
		var ids []string
		for range in.copies {
			m, err := e.svc.Send(ctx, alice, messaging.SendInput{To: "bob", Filename: in.sc.filename, Body: bytes.NewReader(in.sc.png), Answered: answered})
			if err != nil {
				close(answered)
				return benchRow{}, err
			}
			ids = append(ids, m.ID)
		}
		t0 := time.Now()
		m, err := measureMem(func() error {
			close(answered)
			e.svc.Previewing.Wait()
			return nil
		})
		took = append(took, time.Since(t0))
		if err != nil {
			return benchRow{}, err
		}
		peaks = append(peaks, m)
		for _, id := range ids {
			if _, ok := e.stamps.stored(id); !ok {
				return benchRow{}, fmt.Errorf("message %s has no preview stored", id)
			}
			if e.stamps.withThumbnail(id) {
				thumbs++
			}
			if err := e.svc.Delete(ctx, alice, id); err != nil {
				return benchRow{}, err
			}
		}
	}
	p := medianMem(peaks)
	made := "thumbnail made"
	switch total := reps * in.copies; {
	case thumbs == 0:
		made = "**no thumbnail** (caption-only preview: too costly for the budget, or undecodable)"
	case thumbs < total:
		made = fmt.Sprintf("thumbnail made for %d of %d", thumbs, total)
	}
	const budget = messaging.DefaultPreviewBudget
	return benchRow{
		Measure: fmt.Sprintf("Preview worker peak: %s (%s), %d at once", in.sc.label, fmtBytes(float64(len(in.sc.png))), in.copies),
		Subject: fmt.Sprintf("heap +%s over idle (live heap +%s; RSS +%s; %s allocated); previews stored %s after release; %s",
			fmtBytes(p.heap), fmtBytes(p.live), fmtBytes(p.rss), fmtBytes(p.allocs), fmtDur(median(took)), made),
		Baseline: "—",
		Ratio:    "—",
		Target:   fmt.Sprintf("≤ %s per instance", fmtBytes(budget)),
		Met:      verdict(p.heap <= budget),
		Values:   []float64{math.Max(p.heap, 1), math.Max(p.allocs, 1), float64(len(took))},
	}, nil
}

// previewLatencyRow runs memConc clients that send the photo, the
// screenshot and the 2 MiB noise PNG in turn over HTTP, all at once, and
// times each send's answer (as the client got it) to its preview stored.
func (e *benchEnv) previewLatencyRow() (benchRow, error) {
	mix := []sizeCase{e.photo, e.shot, e.sizes[1]}
	rounds := pick(e.o.Short, 1, 4)
	e.progress("preview latency: %d concurrent sends × %d rounds", memConc, rounds)
	var lat []time.Duration
	for r := range rounds {
		answeredAt := make([]time.Time, memConc)
		ids := make([]string, memConc)
		err := concurrently(memConc, func(i int) error {
			sc := mix[(i+r)%len(mix)]
			id, err := e.alice.send(sc.body, sc.ctype)
			answeredAt[i], ids[i] = time.Now(), id
			return err
		})
		e.settle()
		if err != nil {
			return benchRow{}, err
		}
		for i, id := range ids {
			at, ok := e.stamps.stored(id)
			e.stamps.withThumbnail(id) // forget it
			if !ok {
				return benchRow{}, fmt.Errorf("message %s has no preview stored", id)
			}
			lat = append(lat, at.Sub(answeredAt[i]))
			if err := e.alice.deleteMessage(id); err != nil {
				return benchRow{}, err
			}
		}
	}
	p50, p95 := percentile(lat, 50), percentile(lat, 95)
	labels := make([]string, len(mix))
	for i, sc := range mix {
		labels[i] = sc.label
	}
	return benchRow{
		Measure:  fmt.Sprintf("Preview latency: answer → preview stored, %d concurrent sends (%s in turn)", memConc, strings.Join(labels, ", ")),
		Subject:  fmt.Sprintf("p50 %s, p95 %s, max %s (%d sends)", fmtDur(p50), fmtDur(p95), fmtDur(percentile(lat, 100)), len(lat)),
		Baseline: "—",
		Ratio:    "—",
		Target:   "p95 < 1 s",
		Met:      verdict(p95 < time.Second),
		// A preview can be stored before the client has read the answer.
		Values: durs(max(p50, 1), max(p95, 1)),
	}, nil
}

func (e *benchEnv) previewNote(reps int) string {
	return fmt.Sprintf("**Previews** are made after the send's answer by the app's preview queue (%d workers, %d slots; "+
		"decodes bounded by `thumbnail.Budget`, %s per instance): the queue reads the stored blob back with the send's data key, "+
		"makes the thumbnail, seals and stores the previews (`SetPreviews`). "+
		"*Peak*: the inputs are sent through the app's own `Service.Send` with their answer held (`SendInput.Answered`), so no preview "+
		"starts; after a GC and `FreeOSMemory` the heap in use (`/memory/classes/heap/objects + unused` = `MemStats.HeapInuse`, without "+
		"stopping the world) is sampled every ~1 ms from releasing them until `Previewing.Wait()` returns; the peak growth over that "+
		"idle level, median of %d. Whether each stored preview holds a thumbnail is read from the size of what `SetPreviews` stored. "+
		"*Latency*: from the moment the client has the send's answer to the moment `SetPreviews` returned for it (the app's message "+
		"store is wrapped by the bench to note it; nothing else changes), while %d clients send at once. "+
		"*Inputs*, made at startup from fixed seeds: the photo is a %s YCbCr 4:2:0 image of smooth gradients with mild noise, "+
		"textured ground and flat hard-edged discs, encoded by `image/jpeg` at quality 85 (%s); the screenshot is flat colours, "+
		"text-like strokes in chat bubbles and a few noisy picture blocks (%s); the bomb is a 16-bit RGB PNG of one flat colour "+
		"(%s; 8 bytes a decoded pixel); the noise PNGs are the send phase's. "+
		"The progressive JPEG is committed, not made (`image/jpeg` writes only baseline JPEGs): a 16 MP photo of gradients and shapes "+
		"that ImageMagick wrote progressive (`imageapptest.ProgressiveJPEG`); full runs only.",
		messaging.DefaultPreviewWorkers, messaging.DefaultPreviewQueue, fmtBytes(messaging.DefaultPreviewBudget), reps, memConc,
		e.photo.label, fmtBytes(float64(len(e.photo.png))), fmtBytes(float64(len(e.shot.png))), fmtBytes(float64(len(e.bomb.png))))
}
