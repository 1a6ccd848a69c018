package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"imageapp/app/imageapp"
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
	imageapp.EQUOTA:        http.StatusInsufficientStorage,
	imageapp.EINTERNAL:     http.StatusInternalServerError,
	imageapp.EDELETED:      http.StatusGone,
	imageapp.EVIEWEDONCE:   http.StatusGone,
	imageapp.EEXPIRED:      http.StatusGone,
}

// statusClientGone is logged for requests whose client left first (nginx's 499).
const statusClientGone = 499

// StatusError is an HTTP-level error with no domain code (405 and the like).
type StatusError struct {
	Status  int
	Code    string
	Message string
}

func (e *StatusError) Error() string { return e.Message }

// Reply is what an error becomes on the wire.
type Reply struct {
	Status  int
	Code    string
	Message string
	Retry   string // Retry-After, in seconds; "" for none
}

// replyFor maps err to its answer. It is pure: it does not log; the caller
// logs once (see Server.Reply). clientGone says the request's client
// has left; maxUpload names the upload limit in the message of a 413.
func replyFor(err error, clientGone bool, maxUpload int64) Reply {
	var se *StatusError
	if errors.As(err, &se) {
		return Reply{Status: se.Status, Code: se.Code, Message: se.Message}
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		// Only uploads get here: a form's limit is a StatusError of its own
		// (formValues), so an upload cap equal to it is not taken for it.
		return Reply{Status: http.StatusRequestEntityTooLarge, Code: imageapp.ETOOLARGE,
			Message: fmt.Sprintf("The upload is larger than the %s limit.", HumanBytes(maxUpload))}
	}
	if clientGone && errors.Is(err, context.Canceled) {
		// The client left (closed the tab, lost the connection): nothing
		// failed on our side, and nobody reads the answer.
		return Reply{Status: statusClientGone, Code: "canceled", Message: "The request was canceled."}
	}
	code := imageapp.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	reply := Reply{Status: status, Code: code, Message: imageapp.ErrorMessage(err)}
	if code == imageapp.ERATELIMITED {
		reply.Retry = "60" // a limit that does not say its wait
	}
	if wait, ok := imageapp.RetryAfter(err); ok { // a 429, or a 503 of a busy server
		reply.Retry = strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
	}
	return reply
}

// ErrorReply maps err to its answer, logs it once (server faults as errors,
// a client that left as info), and sets Retry-After.
func (s *Server) ErrorReply(w http.ResponseWriter, r *http.Request, err error) Reply {
	reply := replyFor(err, r.Context().Err() != nil, s.maxUpload)
	switch {
	case reply.Status == statusClientGone:
		s.log.InfoContext(r.Context(), "client went away", "method", r.Method, "path", r.URL.Path)
	case reply.Status >= 500:
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if reply.Status == http.StatusTooManyRequests {
		s.metrics.Count("LimitRefusals", 1)
	}
	if reply.Retry != "" {
		w.Header().Set("Retry-After", reply.Retry)
	}
	return reply
}

func HumanBytes(n int64) string {
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
