package api

import (
	"encoding/base64"
	"net/http"
	"time"

	"imageapp/app/decryptlog"
	"imageapp/app/web"
)

// "When your images were opened": the person's decrypt record, a page at a
// time (GET /api/me/record?before=N), and the key its heads are signed with
// (GET /.well-known/imageapp-record-key), which a client pins on first use.

type recordLineJSON struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Time   string    `json:"time"`
	Phrase string    `json:"phrase"`
}

type recordDayJSON struct {
	Date  string           `json:"date"` // YYYY-MM-DD in the reader's zone
	Title string           `json:"title"`
	Lines []recordLineJSON `json:"lines"`
}

type recordReply struct {
	Days []recordDayJSON `json:"days"`
	// Page is the signed page the Verify button checks (decryptlog.Page).
	Page decryptlog.Page `json:"page"`
	// Before is what to pass as ?before= for the older page; null when none.
	Before *int64 `json:"before"`
}

// Record is GET /api/me/record: days newest first, each line in words.
func (s *Handlers) Record(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	before, err := web.RecordBefore(r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	p, err := s.messaging.DecryptRecord(r.Context(), u, before, web.Zone(r))
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	out := recordReply{Days: make([]recordDayJSON, 0, len(p.Days)), Page: p.Page}
	for _, d := range p.Days {
		day := recordDayJSON{Date: d.Date.Format("2006-01-02"), Title: d.Title, Lines: make([]recordLineJSON, 0, len(d.Lines))}
		for _, l := range d.Lines {
			day.Lines = append(day.Lines, recordLineJSON{Seq: l.Seq, At: l.At, Time: l.Time, Phrase: l.Phrase})
		}
		out.Days = append(out.Days, day)
	}
	if p.Before > 0 {
		out.Before = &p.Before
	}
	w.Header().Set("Cache-Control", "no-store")
	s.JSON(w, r, http.StatusOK, out)
}

// RecordKey is GET /.well-known/imageapp-record-key: the Ed25519 public key
// that signs every record's head, base64, as text. It stays the same
// across restarts, so a client that pinned it notices another.
func (s *Handlers) RecordKey(w http.ResponseWriter, r *http.Request) {
	key, err := s.messaging.RecordKey()
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write([]byte(base64.StdEncoding.EncodeToString(key) + "\n"))
}
