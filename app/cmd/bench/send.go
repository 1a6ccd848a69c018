package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// phaseSend times `POST /api/messages` of each image size, and of the
// 12 MP photo, against a plain durable upload of the same request, and
// against the same without fsync; then where a send's time goes, port by
// port.
func (e *benchEnv) phaseSend(ctx context.Context, rep *benchReport) error {
	base := e.client(e.baseURL)
	for i, sc := range append(slices.Clone(e.sizes), e.photo) {
		e.progress("send %s (%d B image, %d B request): %d rounds", sc.label, len(sc.png), len(sc.body), e.rounds(sc))
		var previews []time.Duration
		res, err := interleave(e.rounds(sc), e.warm(), e.timedSend(sc, &previews, false), e.timedUpload(base, sc, true), e.timedUpload(base, sc, false),
			e.timedSend(sc, nil, true))
		if err != nil {
			return fmt.Errorf("send %s: %w", sc.label, err)
		}
		rep.Rows = append(rep.Rows, sendRow(i, sc, res, previews))
	}
	rep.Notes = append(rep.Notes, sendNote)
	return e.sendBreakdown(ctx, rep)
}

// timedSend is one send through the app, timed to its answer. Then,
// untimed, it waits for what the send does after answering, its preview
// and its notification mail (appending how long after the answer the
// preview was stored to previews, when not nil), and deletes the message:
// a preview still decoding, or a mail's fsync, would take from the next
// timed run, app or baseline.
//
// With held, the preview's read of the blob waits until the client has
// the answer: in this process the client shares two cores with the preview
// worker. Since the worker waits 20 ms after the answer (the preview
// queue's answerGrace) before it starts, the two measure alike; before,
// it started the moment the answer was flushed and kept the client from
// reading it.
func (e *benchEnv) timedSend(sc sizeCase, previews *[]time.Duration, held bool) timedFn {
	return func() (sample, error) {
		var id string
		release := func() {}
		if held {
			release = e.gate.hold()
		}
		d, err := timeIt(func() (err error) {
			id, err = e.alice.send(sc.body, sc.ctype)
			return err
		})
		answered := time.Now()
		release()
		if err != nil {
			return d, err
		}
		e.settle()
		if previews != nil {
			if at, ok := e.stamps.stored(id); ok {
				*previews = append(*previews, at.Sub(answered))
			}
		}
		return d, e.alice.deleteMessage(id)
	}
}

// timedUpload is one upload to the baseline; removing the file is not timed.
func (e *benchEnv) timedUpload(base *hclient, sc sizeCase, durable bool) timedFn {
	return func() (sample, error) {
		var name string
		d, err := timeIt(func() (err error) {
			name, err = e.baselineUpload(base, sc, durable)
			return err
		})
		if err != nil {
			return d, err
		}
		return d, os.Remove(filepath.Join(e.baseDir, name))
	}
}

// sendRow reads res: the app's sends, the durable uploads, the uploads
// without fsync, the sends with their preview held until the client had
// the answer; previews is when each send's preview was stored, after its
// answer. The smallest size is for information only.
func sendRow(i int, sc sizeCase, res [][]sample, previews []time.Duration) benchRow {
	s, b, b2, h := median(walls(res[0])), median(walls(res[1])), median(walls(res[2])), median(walls(res[3]))
	sc0, bc, bc2, hc := cpuPerOp(res[0]), cpuPerOp(res[1]), cpuPerOp(res[2]), cpuPerOp(res[3])
	subject := fmtDur(s) + " · CPU " + fmtDur(sc0) + "; with the preview held until the client had the answer " +
		fmtDur(h) + " · CPU " + fmtDur(hc) + " (" + fmtRatio(ratio(h, b)) + "; " + roundSpread(res[3], res[1]) + ")"
	// The answer does not wait for the preview; the next run does. It may be
	// stored before the client has read the answer (≤ 0).
	if p := median(previews); len(previews) > 0 && p > 0 {
		subject += "; its preview stored a median " + fmtDur(p) + " after the client had the answer"
	} else if len(previews) > 0 {
		subject += "; its preview stored (median) by the time the client had read the answer"
	}
	row := benchRow{
		Measure:  fmt.Sprintf("Send %s (`POST /api/messages`)", sc.label),
		Subject:  subject,
		Baseline: fmtDur(b) + " · CPU " + fmtDur(bc) + " (no fsync: " + fmtDur(b2) + " · CPU " + fmtDur(bc2) + ")",
		Ratio:    fmtRatio(ratio(s, b)) + " (CPU " + fmtRatio(ratio(sc0, bc)) + "; " + roundSpread(res[0], res[1]) + ")",
		Ratio2:   fmtRatio(ratio(s, b2)) + " (CPU " + fmtRatio(ratio(sc0, bc2)) + ")",
		Values:   durs(s, b, b2, sc0, bc, bc2, h, hc),
	}
	if i == 0 {
		row.Target, row.Met = "≤ 1.3× at ≥ 2 MiB", "(info)"
	} else {
		row.Target = "≤ 1.3×"
		row.Met = verdict(ratio(s, b) <= 1.3) + " (preview held: " + verdict(ratio(h, b) <= 1.3) + ")"
	}
	return row
}

const sendNote = "**Send baseline**: a handler in the same process, on its own `http.Server` on " +
	"127.0.0.1:0, reads the same multipart request with `r.MultipartReader()` (4 KiB reads off the connection; the app reads 64 KiB) and streams the file part into a " +
	"temp file in the same data dir in 64 KiB writes (as the blob store gets them), **fsyncs it and renames it " +
	"into place** — the same durable write the blob store does (the second ratio is against the same handler without the fsync). The app additionally does " +
	"whatever its send path does at the time of the run — today: sniff and check the image, strip its metadata " +
	"(`app/metastrip`, streaming), encrypt it (AES-GCM-HKDF streaming), store the row in SQLite (with its preview due), answer; then the notification mail is written to the outbox (also fsynced) and, 20 ms after the answer is flushed (so that its client takes the answer in first), " +
	"its preview queue reads the blob back, decodes the thumbnail, seals and stores the previews. " +
	"The send is timed to its answer; each run then waits, untimed, for its preview (the time from the answer until the preview was stored is in the ImageApp cell) and its mail " +
	"and deletes what it stored, so no preview runs during the next timed run. The same send is also timed with its preview held " +
	"until the client has the answer (the bench's blob store wrapper makes the preview's read of the image wait): the client runs in this " +
	"process, on the same two cores as the preview worker; the two measure alike since the worker waits 20 ms after the answer (before 2026-12-08 it " +
	"started the moment the answer was flushed and kept the client from reading it, as a client on another machine would not be kept). The noise PNGs are the worst case for a PNG decoder; the 12 MP photo is a " +
	"photo-like JPEG made at startup (see the preview note). " +
	"Rounds: 2N for the smaller sizes, N for 10 MiB, after warm-up rounds."
