// Package imagecheck judges an upload by its content while it streams: the
// type is sniffed from the first bytes against an allow-list, and the
// dimensions are read from the header with image.DecodeConfig (for AVIF,
// from the ispe property of its primary item) before any pixel is decoded.
// Only the header bytes are held in memory.
//
// AVIF stills are accepted; animated AVIF (an "avis" brand) and HEIC/HEIF
// are refused with messages that say what to do. The words a refusal uses
// are copied, with the accepted types, into react/src/lib/image-types.json
// and static/send.js for the clients' checks before an upload; a test
// (TestClientWordsAreImagechecks) keeps the copies equal.
package imagecheck

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // registers the GIF header decoder
	_ "image/jpeg" // registers the JPEG header decoder
	_ "image/png"  // registers the PNG header decoder
	"io"
	"net/http"
	"strings"

	_ "golang.org/x/image/webp" // registers the WebP header decoder

	"imageapp/app/imageapp"
)

// allowed maps each accepted content type to its usual file extension.
var allowed = map[string]string{
	"image/png":  ".png",
	"image/jpeg": ".jpg",
	"image/gif":  ".gif",
	"image/webp": ".webp",
	"image/avif": ".avif",
}

// Extension is the usual file extension of an accepted content type, like
// ".png"; "" for a type that is not accepted.
func Extension(contentType string) string { return allowed[contentType] }

// Types lists the accepted content types in the order people read them.
func Types() []string {
	return []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"}
}

// TypesLabel names the accepted types for people: "PNG, JPEG, GIF, WebP or AVIF".
func TypesLabel() string {
	names := []string{"PNG", "JPEG", "GIF", "WebP", "AVIF"}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// UnsupportedMessage refuses a file whose type is not accepted.
func UnsupportedMessage() string { return "Only " + TypesLabel() + " images can be sent." }

const (
	// HEICMessage refuses a HEIC or HEIF photo and says what to do instead.
	HEICMessage = "HEIC photos from an iPhone or Mac are not supported yet: choose 'Most Compatible' " +
		"in the iPhone's Settings > Camera > Formats, or export the photo as JPEG."
	// AnimatedAVIFMessage refuses an AVIF image sequence.
	AnimatedAVIFMessage = "Animated AVIF images cannot be sent yet: send a still image, or the animation as a GIF or WebP."
)

// HEICTypes and HEICExtensions are how browsers name a HEIC or HEIF file:
// a client that sees one refuses it with HEICMessage before uploading.
func HEICTypes() []string {
	return []string{"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"}
}

// HEICExtensions are the file extensions of HEIC and HEIF files, for
// browsers that give such a file no type.
func HEICExtensions() []string { return []string{".heic", ".heif"} }

// DefaultMaxPixels is the pixel budget (40 megapixels): enough for any
// phone camera, far below what a decompression bomb asks for.
const DefaultMaxPixels = 40_000_000

// maxHeaderBytes bounds how much DecodeConfig may read to find the
// dimensions; JPEGs with large EXIF or ICC segments need the most.
const maxHeaderBytes = 1 << 20

// Checked is an upload that passed the checks: its sniffed type and size,
// and a reader that yields the whole original content from the first byte.
type Checked struct {
	ContentType string
	Width       int
	Height      int
	Body        io.Reader
}

// Inspect reads just enough of r to sniff its type and dimensions.
// Returns EINVALID for an empty upload, EUNSUPPORTED for a type outside the
// allow-list, and EBADIMAGE for an unreadable header or one over maxPixels.
// Errors from r itself (such as an exceeded size cap) are returned as they are.
func Inspect(r io.Reader, maxPixels int) (c *Checked, err error) {
	br := bufio.NewReaderSize(r, 512)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(head) == 0 {
		return nil, imageapp.Errorf(imageapp.EINVALID, "The file is empty. Choose an image to send.")
	}
	ctype := http.DetectContentType(head)
	switch sniffFamily(head) {
	case stillAVIF:
		ctype = "image/avif"
	case animatedAVIF:
		return nil, imageapp.Errorf(imageapp.EUNSUPPORTED, "%s", AnimatedAVIFMessage)
	case heif:
		return nil, imageapp.Errorf(imageapp.EUNSUPPORTED, "%s", HEICMessage)
	}
	if _, ok := allowed[ctype]; !ok {
		return nil, imageapp.Errorf(imageapp.EUNSUPPORTED, "%s", UnsupportedMessage())
	}

	// Record what DecodeConfig consumes so the caller still gets every byte.
	var seen bytes.Buffer
	cfg, format, err := decodeConfig(ctype, io.TeeReader(io.LimitReader(br, maxHeaderBytes), &seen))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, err
		}
		return nil, imageapp.Errorf(imageapp.EBADIMAGE, "This %s file is damaged or not a real image.", allowed[ctype][1:])
	}
	if "image/"+format != ctype {
		return nil, imageapp.Errorf(imageapp.EBADIMAGE, "The file's content does not match its image type.")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, imageapp.Errorf(imageapp.EBADIMAGE, "The image has no pixels.")
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, imageapp.Errorf(imageapp.EBADIMAGE, "The image is %d×%d pixels; the limit is %d megapixels.",
			cfg.Width, cfg.Height, maxPixels/1_000_000)
	}
	return &Checked{
		ContentType: ctype,
		Width:       cfg.Width,
		Height:      cfg.Height,
		Body:        io.MultiReader(&seen, br),
	}, nil
}

// imageDecodeConfig is image.DecodeConfig; a test swaps in a decoder that
// panics, as a bug in a real one would on hostile input.
var imageDecodeConfig = image.DecodeConfig

// decodeConfig reads the dimensions of an image of type ctype, and turns a
// decoder panic on hostile input into an error.
func decodeConfig(ctype string, r io.Reader) (cfg image.Config, format string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("imagecheck: decoder panic: %v", p)
		}
	}()
	if ctype == "image/avif" {
		return avifConfig(r)
	}
	return imageDecodeConfig(r)
}
