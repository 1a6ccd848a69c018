package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"

	"imageapp/app/imageapp"
)

const maxFormBytes = 64 << 10

// fields reads the named fields of a JSON object or an HTML form (urlencoded
// or multipart), whichever the request carries. A body over the limit is a
// 413, another media type a 415, and a body that cannot be read a 400.
func fields(w http.ResponseWriter, r *http.Request, names ...string) (map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	out := make(map[string]string, len(names))
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch ctype {
	case "application/json":
		var raw map[string]any
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			return out, bodyError(err, "The request body is not valid JSON.")
		}
		for _, n := range names {
			if v, ok := raw[n].(string); ok {
				out[n] = v
			}
		}
		return out, nil
	case "multipart/form-data":
		err = r.ParseMultipartForm(maxFormBytes)
	case "application/x-www-form-urlencoded", "":
		err = r.ParseForm() // no type: no body fields, so the field checks say what is missing
	default:
		return out, imageapp.Errorf(imageapp.EUNSUPPORTED,
			"Send the fields as JSON (application/json) or as a form (urlencoded or multipart), not %s.", ctype)
	}
	if err != nil {
		return out, bodyError(err, "The form could not be read.")
	}
	for _, n := range names {
		out[n] = r.PostFormValue(n)
	}
	return out, nil
}

// bodyError keeps the errors that have a status of their own (too large,
// too slow) and makes any other reading error a 400 with msg.
func bodyError(err error, msg string) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) || errors.Is(err, errSlowBody) {
		return err
	}
	return fmt.Errorf("%w: %v", imageapp.Errorf(imageapp.EINVALID, "%s", msg), err)
}
