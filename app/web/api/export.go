package api

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/ratelimit"
	"imageapp/app/web"
)

// "Export my data" (POST /settings/export and POST /api/me/export): the
// budget and the answer's headers; messaging.Export writes the zip.

// exportRule lets a person export twice, then once every half hour: every
// export makes the server decrypt their whole mailbox.
var exportRule = ratelimit.Rule{Burst: 2, Every: 30 * time.Minute}

// ExportDownload starts an export: a POST, because each one spends the
// person's export budget.
func (s *Handlers) ExportDownload(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", attachment(fmt.Sprintf("imageapp-%s-%s.zip", u.Username, s.Now().UTC().Format("2006-01-02"))))
	h.Set("Cache-Control", "no-store")
	ex, err := s.startExport(r, u)
	if err != nil {
		for _, k := range []string{"Content-Type", "Content-Disposition"} {
			h.Del(k)
		}
		s.Fail(w, r, err)
		return
	}
	defer ex.Close()
	if err := ex.WriteZip(s.PaceWrites(w, r)); err != nil {
		// The zip has begun, so its status cannot change: the client sees a
		// broken transfer, never a zip that looks whole.
		s.Log().InfoContext(r.Context(), "export stopped", "user_id", u.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// startExport does what can still fail with a proper error answer: the
// limit, then the export's start (messaging.Service.StartExport).
func (s *Handlers) startExport(r *http.Request, u imageapp.User) (*messaging.Export, error) {
	if err := s.limitExport(r, u); err != nil {
		return nil, err
	}
	return s.messaging.StartExport(r.Context(), u, web.Access(r, imageapp.PurposeExport))
}

func (s *Handlers) limitExport(r *http.Request, u imageapp.User) error {
	ok, wait, err := s.LimitStore().Take(r.Context(), exportRule, "export:"+u.ID)
	if err != nil {
		s.Log().ErrorContext(r.Context(), "export limit unavailable; refusing", "err", err)
		return imageapp.Errorf(imageapp.EUNAVAILABLE, "We cannot start an export right now. Try again in a few minutes.")
	}
	if !ok {
		s.Log().WarnContext(r.Context(), "export rate limited", "user_id", u.ID)
		mins := int(math.Ceil(wait.Minutes()))
		return &imageapp.RetryLater{After: wait, Err: imageapp.Errorf(imageapp.ERATELIMITED,
			"You have exported your data recently. Each export decrypts all your images, so it can be done only a few times an hour. Try again in %d minute%s.",
			mins, plural(mins))}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
