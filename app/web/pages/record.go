package pages

import (
	"net/http"

	"imageapp/app/web"
	"imageapp/views"
)

// RecordPage is GET /settings/record(?before=N): "When your images were
// opened", a page of the person's decrypt record by day, newest first,
// with "Older" to the next page; record.js adds Verify.
func (s *Handlers) RecordPage(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	before, err := web.RecordBefore(r)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	p, err := s.messaging.DecryptRecord(r.Context(), u, before, web.Zone(r))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	rec := views.Record{Before: p.Before, Older: before > 0}
	for _, d := range p.Days {
		day := views.RecordDay{Title: d.Title}
		for _, l := range d.Lines {
			day.Lines = append(day.Lines, views.RecordLine{Seq: l.Seq, Time: l.Time, Phrase: l.Phrase})
		}
		rec.Days = append(rec.Days, day)
	}
	s.Render(w, r, http.StatusOK, views.RecordPage(s.frame(r, "When your images were opened", "settings"), rec))
}
