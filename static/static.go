// Package static embeds the compiled stylesheet and vendored scripts and
// serves them under content-hashed names, gzip-compressed, cached for a year.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
)

//go:embed app.css htmx.min.js hx-sse.min.js app.js forms.js send.js confirm.js viewer.js thread.js record.js passkeys.js notify.js push.js favicon.svg
var files embed.FS

type asset struct {
	name  string // hashed name, e.g. app.1a2b3c4d5e.css
	ctype string
	raw   []byte
	gz    []byte
	etag  string
}

// byOriginal and byHashed are the served assets by their file name and by
// their content-hashed name. site.js's parts are served only inside it.
var byOriginal, byHashed = load()

// Site is the script every page loads: htmx, its SSE extension and
// app.js, in that order, as one file. One response instead of three keeps
// about 1 KiB of headers and gzip framing off every first visit (budget:
// 30 KiB). The price: a release that changes app.js makes a returning
// browser fetch all 17.5 KiB once, not 2.4 KiB.
const Site = "site.js"

var siteParts = []string{"htmx.min.js", "hx-sse.min.js", "app.js"}

// load reads the embedded files and makes site.js of its parts.
func load() (byOriginal, byHashed map[string]*asset) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(err) // an embed.FS always reads: a broken build
	}
	raws := map[string][]byte{}
	for _, e := range entries {
		if raws[e.Name()], err = files.ReadFile(e.Name()); err != nil {
			panic(err)
		}
	}
	var site []byte
	for _, name := range siteParts {
		// A newline and a semicolon end each part, whatever its last line.
		site = append(append(site, raws[name]...), "\n;\n"...)
		delete(raws, name)
	}
	raws[Site] = site
	byOriginal, byHashed = map[string]*asset{}, map[string]*asset{}
	for name, raw := range raws {
		a := newAsset(name, raw)
		byOriginal[name], byHashed[a.name] = a, a
	}
	return byOriginal, byHashed
}

// newAsset is raw served under name's content-hashed form.
func newAsset(name string, raw []byte) *asset {
	sum := sha256.Sum256(raw)
	h := hex.EncodeToString(sum[:5])
	ext := path.Ext(name)
	return &asset{
		name:  strings.TrimSuffix(name, ext) + "." + h + ext,
		ctype: mime.TypeByExtension(ext),
		raw:   raw,
		gz:    gzipped(raw),
		etag:  `"` + h + `"`,
	}
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Path returns the URL of an embedded file under its content-hashed name.
func Path(name string) string {
	a, ok := byOriginal[name]
	if !ok {
		panic(fmt.Sprintf("static: no embedded file %q", name))
	}
	return "/static/" + a.name
}

// DataURL is an embedded file as a data: URL, for a small file every page
// names (the favicon): no request, no headers, nothing to cache.
func DataURL(name string) string {
	a, ok := byOriginal[name]
	if !ok {
		panic(fmt.Sprintf("static: no embedded file %q", name))
	}
	return "data:" + a.ctype + "," + url.PathEscape(string(a.raw))
}

// documentOnlyHeaders govern a document (what it may load, frame or use):
// a stylesheet or a script never is one, so on them they are bytes for
// nothing on every first visit. nosniff (and HSTS) stay: they do apply.
var documentOnlyHeaders = []string{"Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Cross-Origin-Opener-Policy"}

// subresource reports whether the asset can only be loaded by a page,
// never opened as a document that runs anything (an SVG can be).
func (a *asset) subresource() bool {
	return strings.HasPrefix(a.ctype, "text/css") || strings.HasPrefix(a.ctype, "text/javascript")
}

// Handler serves /static/<hashed name>. Names change with content, so
// responses are immutable and cached for a year.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := byHashed[path.Base(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		if a.subresource() {
			for _, name := range documentOnlyHeaders {
				h.Del(name)
			}
		}
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", a.etag)
		h.Set("Vary", "Accept-Encoding")
		if r.Header.Get("If-None-Match") == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := a.raw
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			body = a.gz
		}
		h.Set("Content-Length", fmt.Sprint(len(body)))
		if r.Method != http.MethodHead {
			w.Write(body)
		}
	})
}
