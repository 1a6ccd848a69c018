package decryptlog

import (
	"time"

	"imageapp/app/imageapp"
)

// Day is one day of a record as the settings page "When your images were
// opened" shows it, newest first.
type Day struct {
	Date  time.Time // midnight of the day, in the page's location
	Title string    // "Monday 7 December 2026"
	Lines []Line
}

// Line is one entry in a person's words.
type Line struct {
	Seq    int64
	At     time.Time
	Time   string // "15:04"
	Phrase string // "You, Chrome on Mac, viewed 'beach.jpg'"
}

// Days groups owner's entries (newest first, as RecordEntries returns
// them) by day in loc, each in words. labels names the images by message
// ID, as the page may show them (quoted file names, "the image from
// alice"); an image without a label (deleted, or not asked) is "an image".
func Days(owner string, entries []imageapp.DecryptEntry, labels map[string]string, loc *time.Location) []Day {
	if loc == nil {
		loc = time.UTC
	}
	var days []Day
	for _, e := range entries {
		at := e.At.In(loc)
		y, m, d := at.Date()
		date := time.Date(y, m, d, 0, 0, 0, 0, loc)
		if len(days) == 0 || !days[len(days)-1].Date.Equal(date) {
			days = append(days, Day{Date: date, Title: date.Format("Monday 2 January 2006")})
		}
		last := &days[len(days)-1]
		last.Lines = append(last.Lines, Line{Seq: e.Seq, At: at, Time: at.Format("15:04"), Phrase: Phrase(owner, e, labels[e.MessageID])})
	}
	return days
}

// Phrase says e in owner's words; label names the image ("" for "an image").
func Phrase(owner string, e imageapp.DecryptEntry, label string) string {
	if label == "" {
		label = "an image"
	}
	switch e.By.Job {
	case imageapp.JobPreview, imageapp.JobSweep:
		if e.Purpose == imageapp.PurposePreviewKey {
			return "Your preview key was opened to seal a preview"
		}
		if e.By.Job == imageapp.JobSweep {
			return "Preview made for your inbox (redone after a restart)"
		}
		return "Preview made for your inbox"
	case "":
	default:
		return "The server's " + e.By.Job + " job opened " + label
	}
	if e.Purpose == imageapp.PurposeTwoFactor {
		// At a sign-in, a change of the setting: no image, and no session yet.
		return "Your two-factor secret was opened to check a code"
	}
	who := e.By.Username
	if who == "" {
		who = "Someone"
	}
	if e.By.UserID == owner {
		who = "You"
		if e.By.Device != "" {
			who += ", " + e.By.Device + ","
		}
	}
	if e.Purpose == imageapp.PurposeExport {
		if who != "Someone" && e.By.UserID == owner {
			who = "you"
		}
		return "Export by " + who
	}
	verbs := map[imageapp.DecryptPurpose]string{
		imageapp.PurposeView:       "viewed " + label,
		imageapp.PurposeDownload:   "downloaded " + label,
		imageapp.PurposeOpenPage:   "opened the page of " + label,
		imageapp.PurposeViewOnce:   "viewed " + label + " (view once)",
		imageapp.PurposePreview:    "had a preview made of " + label,
		imageapp.PurposePreviewKey: "opened the previews of the list",
	}
	verb, ok := verbs[e.Purpose]
	if !ok {
		verb = "opened " + label
	}
	return who + " " + verb
}
