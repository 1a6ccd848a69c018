package thumbnail

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// testBudget is a budget no test image is too costly for.
var testBudget = NewBudget(256 << 20)

func encoded(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 200, 128})
		}
	}
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

func TestMakeFitsTheBoxAndKeepsTheShape(t *testing.T) {
	for _, tc := range []struct {
		format       string
		w, h         int
		wantW, wantH int
	}{
		{"png", 1200, 600, 160, 80},
		{"jpeg", 300, 900, 80, 160},  // cut to 300x600
		{"gif", 40, 30, 40, 30},      // small images are not enlarged
		{"png", 5000, 1, 2, 1},       // cropped to 2:1 first
		{"png", 1000, 3000, 80, 160}, // cut to 1000x2000
	} {
		out, err := Make(context.Background(), bytes.NewReader(encoded(t, tc.format, tc.w, tc.h)), testBudget)
		if err != nil {
			t.Fatalf("%s %dx%d: %v", tc.format, tc.w, tc.h, err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(out))
		if err != nil || format != "jpeg" {
			t.Fatalf("%s %dx%d: thumbnail is %q, %v; want a JPEG", tc.format, tc.w, tc.h, format, err)
		}
		if cfg.Width != tc.wantW || cfg.Height != tc.wantH {
			t.Errorf("%s %dx%d: thumbnail is %dx%d, want %dx%d", tc.format, tc.w, tc.h, cfg.Width, cfg.Height, tc.wantW, tc.wantH)
		}
		if len(out) > 12<<10 {
			t.Errorf("%s %dx%d: thumbnail is %d bytes; a preview should stay small", tc.format, tc.w, tc.h, len(out))
		}
	}
}

func TestMakeFlattensTransparencyOnWhite(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 10, 10)) // fully transparent
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	out, err := Make(context.Background(), &buf, testBudget)
	if err != nil {
		t.Fatal(err)
	}
	thumb, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := thumb.At(5, 5).RGBA(); r>>8 < 250 || g>>8 < 250 || b>>8 < 250 {
		t.Errorf("a transparent pixel became %d,%d,%d; want white, not black", r>>8, g>>8, b>>8)
	}
}

func TestMakeRefusesWhatIsNoImage(t *testing.T) {
	good := encoded(t, "png", 50, 50)
	for name, in := range map[string][]byte{
		"empty":     nil,
		"no pixels": encoded(t, "gif", 0, 0),
		"text":      []byte("hello, this is not an image"),
		"truncated": good[:len(good)/2],
	} {
		if _, err := Make(context.Background(), bytes.NewReader(in), testBudget); err == nil {
			t.Errorf("%s: Make returned no error", name)
		}
	}
}

// TestTruncatedIsAnError: an image cut short anywhere in its pixels is an
// error, on every path, never a panic or a preview of half an image.
func TestTruncatedIsAnError(t *testing.T) {
	big := encodeJPEG(t, photo(1600, 1200, 8), 80)
	for name, data := range map[string][]byte{
		"JPEG at 1/8":             big,
		"JPEG whole":              encodeJPEG(t, photo(300, 200, 9), 80),
		"JPEG at 1/8 progressive": fixture(t, "ycck-progressive.jpg"),
		"PNG":                     encodePNG(t, pngVariants(300, 200)["RGBA 8"]),
		"PNG interlaced":          fixture(t, "interlaced.png"),
		"GIF":                     encoded(t, "gif", 200, 100),
		"WebP lossy":              fixture(t, "lossy-alpha.webp"),
		"WebP lossless":           fixture(t, "lossless.webp"),
	} {
		for i := range 9 {
			cut := data[:len(data)*i/10]
			_, err := Make(context.Background(), bytes.NewReader(cut), testBudget)
			if err == nil || strings.Contains(err.Error(), "panic") {
				t.Errorf("%s cut to %d of %d bytes: %v; want a decode error", name, len(cut), len(data), err)
			}
		}
	}
}

// TestPanoramaShowsItsCentre: an 8000×600 panorama's preview is its
// centre, cut to 2:1, not a 160×12 sliver of the whole; on both JPEG paths
// (whole under a large budget, 1/8 scale under a small one) and as a PNG.
func TestPanoramaShowsItsCentre(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 8000, 600))
	for y := range 600 {
		for x := range 8000 {
			c := color.RGBA{200, 30, 30, 255} // the sides: red
			if x >= 3400 && x < 4600 {
				c = color.RGBA{30, 30, 200, 255} // the centre 1200×600: blue
			}
			m.SetRGBA(x, y, c)
		}
	}
	jpg := encodeJPEG(t, m, 90)
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, m); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		data   []byte
		budget *Budget
	}{
		"JPEG whole":     {jpg, testBudget},
		"JPEG at 1/8":    {jpg, NewBudget(16 << 20)},
		"PNG row by row": {pngBuf.Bytes(), testBudget},
	} {
		p := thumb(t, tc.data, tc.budget)
		if p.Rect.Dx() != 160 || p.Rect.Dy() != 80 {
			t.Errorf("%s: the preview is %v; want 160x80", name, p.Rect)
			continue
		}
		for _, x := range []int{2, 80, 157} {
			if c := p.RGBAAt(x, 40); !near(c, color.RGBA{30, 30, 200, 255}, 12) {
				t.Errorf("%s: pixel %d of the middle row is %v; want the centre's blue", name, x, c)
			}
		}
	}
}
