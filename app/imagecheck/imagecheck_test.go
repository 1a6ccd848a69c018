package imagecheck_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/imagecheck"
)

func encoded(t testing.TB, format string) []byte {
	img := image.NewPaletted(image.Rect(0, 0, 30, 20), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestInspect(t *testing.T) {
	for _, f := range []string{"png", "jpeg", "gif"} {
		raw := encoded(t, f)
		c, err := imagecheck.Inspect(bytes.NewReader(raw), imagecheck.DefaultMaxPixels)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.ContentType != "image/"+f || c.Width != 30 || c.Height != 20 {
			t.Errorf("%s: got %s %dx%d", f, c.ContentType, c.Width, c.Height)
		}
		body, _ := io.ReadAll(c.Body)
		if !bytes.Equal(body, raw) {
			t.Errorf("%s: the body does not replay the upload byte for byte", f)
		}
	}
	if _, err := imagecheck.Inspect(bytes.NewReader(encoded(t, "png")), 599); imageapp.ErrorCode(err) != imageapp.EBADIMAGE {
		t.Errorf("30x20 over a 599-pixel budget: %v", err)
	}
	// A size cap hit while sniffing passes through untouched, for a 413.
	capped := http.MaxBytesReader(nil, io.NopCloser(bytes.NewReader(encoded(t, "png"))), 10)
	if _, err := imagecheck.Inspect(capped, imagecheck.DefaultMaxPixels); !errors.As(err, new(*http.MaxBytesError)) {
		t.Errorf("size cap while sniffing: %v", err)
	}
}

// FuzzInspect: any upload is either refused with a user-facing error or
// accepted with its bytes replayed exactly; never a panic.
func FuzzInspect(f *testing.F) {
	for _, format := range []string{"png", "jpeg", "gif"} {
		f.Add(encoded(f, format))
	}
	f.Add([]byte("GIF89a"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Add(fixture(f, "testimage.avif"))
	f.Add(fixture(f, "red.heic"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := imagecheck.Inspect(bytes.NewReader(raw), imagecheck.DefaultMaxPixels)
		if err != nil {
			var e *imageapp.Error
			if !errors.As(err, &e) {
				t.Fatalf("a refusal without a message for the user: %v", err)
			}
			return
		}
		body, err := io.ReadAll(c.Body)
		if err != nil || !bytes.Equal(body, raw) {
			t.Fatalf("accepted upload not replayed exactly (err %v)", err)
		}
	})
}

// TestDecoderPanicIsBadImage: a decoder that panics on hostile input (a bug
// in a decoder is one crafted file away) must cost the sender a 422, not the
// server its request goroutine or the process.
func TestDecoderPanicIsBadImage(t *testing.T) {
	restore := imagecheck.SwapDecodeConfig(func(r io.Reader) (image.Config, string, error) {
		io.ReadFull(r, make([]byte, 16)) // a real decoder reads before it trips
		var table []int
		return image.Config{Width: table[7]}, "png", nil // index out of range: a runtime panic
	})
	defer restore()
	_, err := imagecheck.Inspect(bytes.NewReader(encoded(t, "png")), imagecheck.DefaultMaxPixels)
	if imageapp.ErrorCode(err) != imageapp.EBADIMAGE {
		t.Fatalf("Inspect after a decoder panic = %v; want EBADIMAGE (422)", err)
	}
	if msg := imageapp.ErrorMessage(err); strings.Contains(msg, "index out of range") {
		t.Errorf("the panic leaks into the user's message: %q", msg)
	}
}
