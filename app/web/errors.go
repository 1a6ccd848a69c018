package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"imageapp/app/imageapp"
	"imageapp/views"
)

// statuses maps every domain error code to its HTTP status, in one place.
var statuses = map[string]int{
	imageapp.EINVALID:      http.StatusBadRequest,
	imageapp.EUNAUTHORIZED: http.StatusUnauthorized,
	imageapp.EFORBIDDEN:    http.StatusForbidden,
	imageapp.EUNCONFIRMED:  http.StatusForbidden,
	imageapp.ENOTFOUND:     http.StatusNotFound,
	imageapp.ECONFLICT:     http.StatusConflict,
	imageapp.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	imageapp.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	imageapp.EBADIMAGE:     http.StatusUnprocessableEntity,
	imageapp.ERATELIMITED:  http.StatusTooManyRequests,
	imageapp.EINTEGRITY:    http.StatusInternalServerError,
	imageapp.EUNAVAILABLE:  http.StatusServiceUnavailable,
	imageapp.EINTERNAL:     http.StatusInternalServerError,
}

// statusClientGone is logged for requests whose client left first (nginx's 499).
const statusClientGone = 499

// statusError is an HTTP-level error with no domain code (405 and the like).
type statusError struct {
	status  int
	code    string
	message string
}

func (e *statusError) Error() string { return e.message }

// describe returns the status, code and user-facing message for err, and
// logs errors that are ours rather than the caller's.
func (s *Server) describe(r *http.Request, err error) (int, string, string) {
	var se *statusError
	if errors.As(err, &se) {
		return se.status, se.code, se.message
	}
	var rl *rateLimitedError
	if errors.As(err, &rl) {
		return http.StatusTooManyRequests, imageapp.ERATELIMITED, rl.Error()
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		if maxErr.Limit == maxFormBytes { // a form's limit, not the image's
			return http.StatusRequestEntityTooLarge, imageapp.ETOOLARGE,
				fmt.Sprintf("The form is larger than the %s limit.", humanBytes(maxErr.Limit))
		}
		return http.StatusRequestEntityTooLarge, imageapp.ETOOLARGE,
			fmt.Sprintf("The upload is larger than the %s limit.", humanBytes(s.maxUpload))
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client left (closed the tab, lost the connection): nothing
		// failed on our side, and nobody reads the answer.
		s.log.Info("client went away", "method", r.Method, "path", r.URL.Path)
		return statusClientGone, "canceled", "The request was canceled."
	}
	code := imageapp.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	return status, code, imageapp.ErrorMessage(err)
}

// fail answers with an error as JSON under /api/, else as an error page
// (or, for htmx, the same page markup, which htmx 4 swaps in for 4xx/5xx).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		s.writeJSONError(w, r, err)
		return
	}
	status, _, msg := s.describe(r, err)
	setRetryAfter(w, err)
	s.render(w, r, status, views.ErrorPage(s.page(r, "Error", ""), status, msg))
}

func (s *Server) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := s.describe(r, err)
	setRetryAfter(w, err)
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// formStatus is the status of a form re-rendered with err.
func (s *Server) formStatus(w http.ResponseWriter, r *http.Request, err error) int {
	status, _, _ := s.describe(r, err)
	setRetryAfter(w, err)
	return status
}

// setRetryAfter tells a rate-limited client when to come back: the limiter's
// wait, or a minute for a code that died after too many wrong tries.
func setRetryAfter(w http.ResponseWriter, err error) {
	var rl *rateLimitedError
	switch {
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(rl.seconds()))
	case imageapp.ErrorCode(err) == imageapp.ERATELIMITED:
		if wait, ok := imageapp.RetryAfter(err); ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return
		}
		w.Header().Set("Retry-After", "60")
	}
}

func humanBytes(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	if n >= 1<<10 {
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
