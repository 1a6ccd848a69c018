package thumbnail

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// thumb makes the preview of data and decodes it.
func thumb(t testing.TB, data []byte, budget *Budget) *image.RGBA {
	t.Helper()
	out, err := Make(context.Background(), bytes.NewReader(data), budget)
	if err != nil {
		t.Fatalf("Make: %v", err)
	}
	return decodeJPEG(t, out)
}

func decodeJPEG(t testing.TB, data []byte) *image.RGBA {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the preview is no JPEG: %v", err)
	}
	rgba := image.NewRGBA(m.Bounds())
	draw.Draw(rgba, rgba.Bounds(), m, m.Bounds().Min, draw.Src)
	return rgba
}

// reference is the preview made from the standard library's decode of the
// whole image, through the same crop, box filter and scale.
func reference(t testing.TB, data []byte) *image.RGBA {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image.Decode: %v", err)
	}
	_, tw, th, _ := plan(m.Bounds().Dx(), m.Bounds().Dy())
	out, err := encode(shrinkFull(m), tw, th)
	if err != nil {
		t.Fatal(err)
	}
	return decodeJPEG(t, out)
}

// meanAbs is the mean absolute difference of the colour channels of two
// images of one size; ok is false when their sizes differ.
func meanAbs(a, b *image.RGBA) (mean float64, ok bool) {
	if a.Rect != b.Rect {
		return 0, false
	}
	var sum float64
	n := 0
	for i := range a.Pix {
		if i%4 == 3 {
			continue
		}
		sum += math.Abs(float64(a.Pix[i]) - float64(b.Pix[i]))
		n++
	}
	return sum / float64(n), true
}

// near reports whether c is within tol of want in each channel.
func near(c, want color.RGBA, tol int) bool {
	d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
	return d(c.R, want.R) <= tol && d(c.G, want.G) <= tol && d(c.B, want.B) <= tol
}

// photo is a photo-like picture: smooth gradients, a few hard edges, and
// noise, which is what makes a JPEG's AC coefficients expensive.
func photo(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			r := 255 * x / w
			g := 255 * y / h
			b := 128 + int(90*math.Sin(float64(x)/float64(w)*9+float64(y)/float64(h)*4))
			if (x*7/w+y*5/h)%3 == 0 {
				r = 255 - r
			}
			n := rng.IntN(25) - 12
			i := m.PixOffset(x, y)
			m.Pix[i] = uint8(min(max(r+n, 0), 255))
			m.Pix[i+1] = uint8(min(max(g+n, 0), 255))
			m.Pix[i+2] = uint8(min(max(b+n, 0), 255))
			m.Pix[i+3] = 255
		}
	}
	return m
}

func encodeJPEG(t testing.TB, m image.Image, q int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
