package web

import (
	"encoding/json"
	"mime"
	"net/http"

	"imageapp/app/imageapp"
)

const maxFormBytes = 64 << 10

// fields reads the named fields of a JSON object or an HTML form (urlencoded
// or multipart), whichever the request carries.
func fields(w http.ResponseWriter, r *http.Request, names ...string) (map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	out := make(map[string]string, len(names))
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype == "application/json" {
		var raw map[string]any
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			return out, imageapp.Errorf(imageapp.EINVALID, "The request body is not valid JSON.")
		}
		for _, n := range names {
			if v, ok := raw[n].(string); ok {
				out[n] = v
			}
		}
		return out, nil
	}
	if err := r.ParseMultipartForm(maxFormBytes); err != nil && err != http.ErrNotMultipart {
		if err := r.ParseForm(); err != nil {
			return out, imageapp.Errorf(imageapp.EINVALID, "The form could not be read.")
		}
	}
	for _, n := range names {
		out[n] = r.PostFormValue(n)
	}
	return out, nil
}
