package web

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compressText compresses HTML and JSON answers of 1 KiB or more (zstd or
// gzip, as the client accepts) and leaves the rest alone. It decides at the
// first write, so images, which are compressed already, and small answers
// never take an encoder: chi's Compress resets a pooled gzip writer (half a
// megabyte of tables) on every request, which was most of a small image
// view's time. Static assets are served precompressed.
var compressText = func() func(http.Handler) http.HandlerFunc {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(1024),
		gzhttp.ContentTypes([]string{"text/html", "application/json"}),
	)
	if err != nil {
		panic(err) // the options above are constant
	}
	return wrap
}()

func (s *Server) compress(next http.Handler) http.Handler { return compressText(next) }
