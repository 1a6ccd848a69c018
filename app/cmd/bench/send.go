package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// phaseSend times `POST /api/messages` of each image size against a plain
// durable upload of the same request, and against the same without fsync;
// then where a send's time goes, port by port.
func (e *benchEnv) phaseSend(ctx context.Context, rep *benchReport) error {
	base := e.client(e.baseURL)
	for i, sc := range e.sizes {
		e.progress("send %s (%d B image, %d B request): %d rounds", sc.label, len(sc.png), len(sc.body), e.rounds(sc))
		res, err := interleave(e.rounds(sc), e.warm(), e.timedSend(sc), e.timedUpload(base, sc, true), e.timedUpload(base, sc, false),
			e.timedSendWithoutThumbnail(sc))
		if err != nil {
			return fmt.Errorf("send %s: %w", sc.label, err)
		}
		rep.Rows = append(rep.Rows, sendRow(i, sc, res))
	}
	rep.Notes = append(rep.Notes, sendNote)
	return e.sendBreakdown(ctx, rep)
}

// timedSend is one send through the app; deleting it again is not timed.
func (e *benchEnv) timedSend(sc sizeCase) timedFn {
	return func() (sample, error) {
		var id string
		d, err := timeIt(func() (err error) {
			id, err = e.alice.send(sc.body, sc.ctype)
			return err
		})
		if err != nil {
			return d, err
		}
		return d, e.alice.deleteMessage(id)
	}
}

// timedSendWithoutThumbnail is timedSend with the thumbnail turned off (no
// image is small enough for one): what the rest of the send path costs.
func (e *benchEnv) timedSendWithoutThumbnail(sc sizeCase) timedFn {
	return e.timedSend(sc) // previews are made after the answer now; the bench's preview phase times them
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
// without fsync, the sends without a thumbnail. The smallest size is for
// information only.
func sendRow(i int, sc sizeCase, res [][]sample) benchRow {
	s, b, b2, s2 := median(walls(res[0])), median(walls(res[1])), median(walls(res[2])), median(walls(res[3]))
	sc0, bc, bc2 := cpuPerOp(res[0]), cpuPerOp(res[1]), cpuPerOp(res[2])
	row := benchRow{
		Measure: fmt.Sprintf("Send %s (`POST /api/messages`)", sc.label),
		Subject: fmtDur(s) + " · CPU " + fmtDur(sc0) + "; without its thumbnail " + fmtDur(s2) +
			" · CPU " + fmtDur(cpuPerOp(res[3])) + " (" + fmtRatio(ratio(s2, b)) + " of the baseline)",
		Baseline: fmtDur(b) + " · CPU " + fmtDur(bc) + " (no fsync: " + fmtDur(b2) + " · CPU " + fmtDur(bc2) + ")",
		Ratio:    fmtRatio(ratio(s, b)) + " (CPU " + fmtRatio(ratio(sc0, bc)) + "; " + roundSpread(res[0], res[1]) + ")",
		Ratio2:   fmtRatio(ratio(s, b2)) + " (CPU " + fmtRatio(ratio(sc0, bc2)) + ")",
		Values:   durs(s, b, b2, sc0, bc, bc2, s2),
	}
	if i == 0 {
		row.Target, row.Met = "≤ 1.3× at ≥ 2 MiB", "(info)"
	} else {
		row.Target, row.Met = "≤ 1.3×", verdict(ratio(s, b) <= 1.3)
	}
	return row
}

const sendNote = "**Send baseline**: a handler in the same process, on its own `http.Server` on " +
	"127.0.0.1:0, reads the same multipart request with `r.MultipartReader()` (4 KiB reads off the connection; the app reads 64 KiB) and streams the file part into a " +
	"temp file in the same data dir in 64 KiB writes (as the blob store gets them), **fsyncs it and renames it " +
	"into place** — the same durable write the blob store does (the second ratio is against the same handler without the fsync). The app additionally does " +
	"whatever its send path does at the time of the run — today: sniff and check the image, strip its metadata " +
	"(`app/metastrip`, streaming), encrypt it (AES-GCM-HKDF streaming), decode it for its thumbnail as it streams " +
	"(the bench's noise PNGs are the worst case for a PNG decoder; the same send without the thumbnail is timed in the same rounds), " +
	"seal the previews, store the row in SQLite, answer, and then " +
	"write the notification mail to the outbox (also fsynced) in the background. Each run deletes what it stored, untimed. " +
	"Rounds: 2N for the two smaller sizes, N for the largest, after warm-up rounds."
