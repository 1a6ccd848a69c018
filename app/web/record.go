package web

import (
	"net/http"
	"strconv"

	"imageapp/app/imageapp"
)

// RecordBefore reads the ?before= of a page of the decrypt record (both
// clients' "Older"): a whole number above 0, or 0 when absent (the newest).
func RecordBefore(r *http.Request) (int64, error) {
	s := r.URL.Query().Get("before")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, imageapp.Errorf(imageapp.EINVALID, "before must be a positive whole number: use the Older link of the page before.")
	}
	return n, nil
}
