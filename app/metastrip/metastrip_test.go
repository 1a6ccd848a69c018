package metastrip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color/palette"
	"image/gif"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestStripRejectsOtherTypes(t *testing.T) {
	for _, ct := range []string{"", "image/svg+xml", "image/tiff", "text/plain", "image/jpeg2000"} {
		if _, err := Strip(ct, strings.NewReader("x")); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Strip(%q): err = %v, want ErrUnsupported", ct, err)
		}
	}
	for _, ct := range []string{"image/jpeg", "IMAGE/PNG", " image/webp ", "image/gif; charset=binary"} {
		if _, err := Strip(ct, strings.NewReader("x")); err != nil {
			t.Errorf("Strip(%q): %v", ct, err)
		}
	}
}

func TestContentMustMatchType(t *testing.T) {
	j := encodeJPEG(t, testImage(8, 8))
	p := encodePNG(t, testImage(8, 8))
	wantMalformed(t, "image/png", j)
	wantMalformed(t, "image/jpeg", p)
	wantMalformed(t, "image/webp", p)
	wantMalformed(t, "image/gif", j)
	for _, ct := range []string{"image/jpeg", "image/png", "image/webp", "image/gif"} {
		wantMalformed(t, ct, nil)
	}
}

// errAfter yields data, then fails with err instead of io.EOF.
type errAfter struct {
	data []byte
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

// The service tells a too-large upload (413) or a vanished client from a
// damaged image (422) by the error, so the source's errors must come
// through unchanged and never as ErrMalformed.
func TestSourceErrorsPassThrough(t *testing.T) {
	cause := errors.New("http: request body too large")
	for ct, in := range oneOfEach(t) {
		for _, cut := range []int{1, 5, 13, 20, len(in) / 2, len(in) - 3} {
			r, _ := Strip(ct, &errAfter{data: in[:cut], err: cause})
			_, err := io.ReadAll(r)
			if err != cause {
				t.Errorf("%s cut at %d: err = %v, want the source's error", ct, cut, err)
			}
		}
	}
}

// What follows the image is read and discarded, so that a size cap on the
// source still covers the whole upload and its error still comes through.
func TestReadsSourceToTheEnd(t *testing.T) {
	cause := errors.New("http: request body too large")
	trailer := bytes.Repeat([]byte("trailing data "), 10000)
	for ct, in := range oneOfEach(t) {
		src := bytes.NewReader(slices.Concat(in, trailer))
		r, _ := Strip(ct, src)
		out, err := io.ReadAll(r)
		if err != nil || src.Len() != 0 {
			t.Errorf("%s: err %v, %d bytes left unread", ct, err, src.Len())
		}
		if bytes.Contains(out, []byte("trailing")) {
			t.Errorf("%s: trailer kept", ct)
		}
		r, _ = Strip(ct, &errAfter{data: slices.Concat(in, trailer), err: cause})
		if _, err := io.ReadAll(r); err != cause {
			t.Errorf("%s: err = %v in the trailer, want the source's error", ct, err)
		}
	}
}

func oneOfEach(t *testing.T) map[string][]byte {
	return map[string][]byte{
		"image/jpeg": insertAfterSOI(encodeJPEG(t, testImage(64, 64)), exifAPP1(binary.BigEndian, 6, nil)),
		"image/png":  encodePNG(t, testImage(64, 64)),
		"image/webp": riffWebP(riffChunk("VP8L", vp8lTwoGreens(64, 64, 1, 2, 3, 4, 255, func(x, y int) bool { return x > y })), riffChunk("EXIF", make([]byte, 300))),
		"image/gif":  encodeGIF(t, &gif.GIF{Image: []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 64, 64), palette.Plan9)}, Delay: []int{0}}),
	}
}
