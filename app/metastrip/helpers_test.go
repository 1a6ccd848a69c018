package metastrip

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// ---- running the stripper ----

// strip runs the stripper over in, reading in large blocks.
func strip(ct string, in []byte) ([]byte, error) {
	r, err := Strip(ct, bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// oneByteReads reads the stripped output one byte at a time.
type oneByteReads struct{ r io.Reader }

func (o oneByteReads) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// mustStrip strips in under several read patterns, checks they agree, and
// returns the output.
func mustStrip(t testing.TB, ct string, in []byte) []byte {
	t.Helper()
	out, err := strip(ct, in)
	if err != nil {
		t.Fatalf("Strip(%s): %v", ct, err)
	}
	patterns := map[string]func() (io.Reader, error){
		"input one byte at a time": func() (io.Reader, error) {
			return Strip(ct, iotest.OneByteReader(bytes.NewReader(in)))
		},
		"input in halves": func() (io.Reader, error) {
			return Strip(ct, iotest.HalfReader(bytes.NewReader(in)))
		},
		"output one byte at a time": func() (io.Reader, error) {
			r, err := Strip(ct, bytes.NewReader(in))
			return oneByteReads{r}, err
		},
		"input with data and EOF together": func() (io.Reader, error) {
			return Strip(ct, iotest.DataErrReader(bytes.NewReader(in)))
		},
	}
	for name, mk := range patterns {
		r, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, out) {
			t.Fatalf("%s: output differs from the block-read output", name)
		}
	}
	again, err := strip(ct, out)
	if err != nil {
		t.Fatalf("stripping the output again: %v", err)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("stripping is not idempotent")
	}
	return out
}

func wantMalformed(t *testing.T, ct string, in []byte) {
	t.Helper()
	_, err := strip(ct, in)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

// ---- images ----

// testImage is a small picture with detail in every channel.
func testImage(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) * 7), 255})
		}
	}
	return m
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type decodeFunc func(io.Reader) (image.Image, error)

// samePixels decodes both and compares every pixel.
func samePixels(t testing.TB, decode decodeFunc, in, out []byte) {
	t.Helper()
	a, err := decode(bytes.NewReader(in))
	if err != nil {
		t.Fatalf("decoding the input: %v", err)
	}
	b, err := decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("decoding the output: %v", err)
	}
	if err := comparePixels(a, b); err != nil {
		t.Fatal(err)
	}
}

func comparePixels(a, b image.Image) error {
	if a.Bounds() != b.Bounds() {
		return fmt.Errorf("bounds %v, want %v", b.Bounds(), a.Bounds())
	}
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return fmt.Errorf("image type %T, want %T", b, a)
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return fmt.Errorf("pixel (%d,%d) is %v, want %v", x, y, b.At(x, y), a.At(x, y))
			}
		}
	}
	return nil
}

func decodeConfigOK(t testing.TB, decode func(io.Reader) (image.Config, error), out []byte) image.Config {
	t.Helper()
	c, err := decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("DecodeConfig of the output: %v", err)
	}
	return c
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
