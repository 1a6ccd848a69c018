package messaging

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/decryptlog"
	"imageapp/app/imageapp"
)

// RecordPageSize is how many entries a page of a decrypt record shows.
const RecordPageSize = 100

// RecordPage is a page of a person's decrypt record: in words, grouped by
// day for the settings page "When your images were opened", and as the
// signed page a client verifies (the newest page verifies from its head).
type RecordPage struct {
	Days []decryptlog.Day
	Page decryptlog.Page
	// Before is what to pass for the next, older page; 0 when there is none.
	Before int64
}

// DecryptRecord returns a page of the viewer's decrypt record, newest
// first, with entries of Seq below before (0: from the newest), grouped by
// day in loc (UTC if nil). Images still there are named by who sent them;
// their file names would take a decrypt each, and a deleted image's name is
// gone with its key. Returns EUNAVAILABLE when the app keeps no record.
func (s *Service) DecryptRecord(ctx context.Context, viewer imageapp.User, before int64, loc *time.Location) (RecordPage, error) {
	if s.Record == nil {
		return RecordPage{}, imageapp.Errorf(imageapp.EUNAVAILABLE, "The record of when your images were opened is not kept here.")
	}
	store := s.Record.Store()
	head, err := store.RecordHead(ctx, viewer.ID)
	if err != nil {
		return RecordPage{}, fmt.Errorf("messaging: read the decrypt record: %w", err)
	}
	entries, err := store.RecordEntries(ctx, viewer.ID, before, RecordPageSize)
	if err != nil {
		return RecordPage{}, fmt.Errorf("messaging: read the decrypt record: %w", err)
	}
	labels, err := s.recordLabels(ctx, viewer, entries)
	if err != nil {
		return RecordPage{}, err
	}
	p := RecordPage{Days: decryptlog.Days(viewer.ID, entries, labels, loc), Page: decryptlog.NewPage(s.Record.PublicKey(), head, entries)}
	if n := len(entries); n == RecordPageSize && entries[n-1].Seq > 1 {
		p.Before = entries[n-1].Seq
	}
	return p, nil
}

// DecryptRecordFile is the viewer's whole record as one signed page, for
// their export (decryptlog.Page as JSON; verifyrecord checks it).
func (s *Service) DecryptRecordFile(ctx context.Context, viewer imageapp.User) (decryptlog.Page, error) {
	if s.Record == nil {
		return decryptlog.Page{}, imageapp.Errorf(imageapp.EUNAVAILABLE, "The record of when your images were opened is not kept here.")
	}
	store := s.Record.Store()
	head, err := store.RecordHead(ctx, viewer.ID)
	if err != nil {
		return decryptlog.Page{}, fmt.Errorf("messaging: read the decrypt record: %w", err)
	}
	var all []imageapp.DecryptEntry
	for before := head.Seq + 1; before > 1; {
		if err := ctx.Err(); err != nil {
			return decryptlog.Page{}, err // the export's client is gone: reads do not stop by themselves
		}
		page, err := store.RecordEntries(ctx, viewer.ID, before, 1000)
		if err != nil {
			return decryptlog.Page{}, fmt.Errorf("messaging: read the decrypt record: %w", err)
		}
		if len(page) == 0 {
			break // the older entries expired
		}
		all = append(all, page...)
		before = page[len(page)-1].Seq
	}
	return decryptlog.NewPage(s.Record.PublicKey(), head, all), nil
}

// recordLabels names the images of entries that are still there, as the
// viewer knows them: "the image from alice", "your image to bob".
func (s *Service) recordLabels(ctx context.Context, viewer imageapp.User, entries []imageapp.DecryptEntry) (map[string]string, error) {
	labels := map[string]string{}
	for _, e := range entries {
		if _, done := labels[e.MessageID]; done || e.MessageID == imageapp.RecordPreviews || e.MessageID == imageapp.RecordTwoFactor {
			continue
		}
		m, err := s.Messages.Message(ctx, e.MessageID)
		switch {
		case imageapp.ErrorCode(err) == imageapp.ENOTFOUND:
			labels[e.MessageID] = "an image since deleted"
		case err != nil:
			return nil, fmt.Errorf("messaging: name the images of the decrypt record: %w", err)
		case m.RecipientID == viewer.ID && m.SenderID == viewer.ID:
			labels[e.MessageID] = "your image to yourself"
		case m.RecipientID == viewer.ID:
			labels[e.MessageID] = "the image from " + m.SenderName
		default:
			labels[e.MessageID] = "your image to " + m.RecipientName
		}
	}
	return labels, nil
}
