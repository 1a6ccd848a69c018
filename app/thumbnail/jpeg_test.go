package thumbnail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"imageapp/app/thumbnail/jpegdc"
)

var (
	red   = color.RGBA{220, 30, 30, 255}
	blue  = color.RGBA{30, 40, 220, 255}
	grey  = color.RGBA{128, 128, 128, 255}
	quads = [4]string{"top left", "top right", "bottom left", "bottom right"}
)

// withOrientation puts an EXIF segment holding only the Orientation tag
// right after the SOI marker, as metastrip leaves it; littleEndian writes
// the TIFF block in Intel order.
func withOrientation(jpg []byte, o int, littleEndian bool) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, 0, 0, 0, 0}
	if littleEndian {
		tiff = []byte{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, byte(o), 0, 0, 0, 0, 0, 0, 0}
	}
	seg := append([]byte{0xff, 0xe1, 0, 0}, "Exif\x00\x00"...)
	seg = append(seg, tiff...)
	binary.BigEndian.PutUint16(seg[2:], uint16(len(seg)-2))
	return append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
}

// stored is where a browser's top-left (red) and top-right (blue)
// quadrants lie in the stored pixels under each orientation, worked out
// from the EXIF definitions rather than from orient: 6 is shown turned a
// quarter clockwise, so what shows at the top left is stored at the bottom
// left; 5 and 7 are the mirror images about the diagonals.
var stored = [9]struct{ red, blue int }{
	1: {0, 1}, 2: {1, 0}, 3: {3, 2}, 4: {2, 3},
	5: {0, 2}, 6: {2, 0}, 7: {3, 1}, 8: {1, 3},
}

// storedImage is a w×h picture (as shown) stored for orientation o.
func storedImage(w, h, o int) *image.RGBA {
	if o >= 5 {
		w, h = h, w
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			q := 2*(2*y/h) + 2*x/w
			c := grey
			switch q {
			case stored[o].red:
				c = red
			case stored[o].blue:
				c = blue
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// TestJPEGOrientation: each of the eight orientations shows upright, with
// the red quadrant top left and the blue top right, on every path (1/8
// scale, 1/4 for a middling image, and whole for a small one).
func TestJPEGOrientation(t *testing.T) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"1/8 scale", 1600, 1280}, {"1/4 scale", 800, 640}, {"whole", 400, 320}} {
		for o := 1; o <= 8; o++ {
			for _, le := range []bool{false, true} {
				if le && o != 6 && o != 8 {
					continue
				}
				name := fmt.Sprintf("%s, orientation %d, little-endian %v", size.name, o, le)
				data := withOrientation(encodeJPEG(t, storedImage(size.w, size.h, o), 90), o, le)
				m := thumb(t, data, testBudget)
				tw, th := fit(size.w, size.h)
				if m.Rect.Dx() != tw || m.Rect.Dy() != th {
					t.Errorf("%s: preview is %v; want %dx%d", name, m.Rect, tw, th)
					continue
				}
				for q, want := range []color.RGBA{red, blue, grey, grey} {
					x, y := tw/4+tw/2*(q%2), th/4+th/2*(q/2)
					if c := m.RGBAAt(x, y); !near(c, want, 20) {
						t.Errorf("%s: the %s is %v; want %v", name, quads[q], c, want)
					}
				}
			}
		}
	}
}

// adobeCMYK is an Adobe CMYK JPEG (APP14 transform 0: no colour
// transform, samples stored inverted, 255 for no ink) of the four inks in
// the four quadrants. image/jpeg cannot encode CMYK, so each ink is
// encoded as a gray JPEG and the four scans are put in one 4-component
// frame, one non-interleaved scan each, all with the same tables.
func adobeCMYK(t testing.TB, w, h int, ink [4]color.CMYK, progressive bool) []byte {
	t.Helper()
	var tables, scans []byte
	for c := range 4 {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				k := ink[2*(2*y/h)+2*x/w]
				g.Pix[y*g.Stride+x] = 255 - [4]uint8{k.C, k.M, k.Y, k.K}[c]
			}
		}
		data := encodeJPEG(t, g, 95)
		for i := 2; i < len(data); {
			marker, n := data[i+1], int(binary.BigEndian.Uint16(data[i+2:]))
			seg := data[i : i+2+n]
			switch marker {
			case 0xdb, 0xc4: // DQT, DHT: the same for every ink
				if c == 0 {
					tables = append(tables, seg...)
				}
			case 0xda: // SOS: the scan, for component c+1
				hdr := []byte{0xff, 0xda, 0, 8, 1, byte(c + 1), 0x00, 0, 63, 0}
				scans = append(append(scans, hdr...), data[i+2+n:len(data)-2]...)
				i = len(data)
				continue
			}
			i += 2 + n
		}
	}
	out := []byte{0xff, 0xd8}
	out = append(out, 0xff, 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0) // transform 0
	out = append(out, tables...)
	sof := []byte{0xff, 0xc0, 0, 20, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 4}
	for c := range 4 {
		sof = append(sof, byte(c+1), 0x11, 0)
	}
	out = append(append(append(out, sof...), scans...), 0xff, 0xd9)
	if progressive {
		out = imagemagick(t, out, "-interlace", "Plane")
	}
	return out
}

// imagemagick runs data through ImageMagick's convert with args.
func imagemagick(t testing.TB, data []byte, args ...string) []byte {
	t.Helper()
	out, err := convert(data, args...)
	if err != nil {
		t.Fatalf("ImageMagick (install it with `bash .ci/image-deps.sh`, as root): %v", err)
	}
	return out
}

// convert runs data through ImageMagick's convert, writing a JPEG.
func convert(data []byte, args ...string) ([]byte, error) {
	convert, err := exec.LookPath("convert")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "thumbnail")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out.jpg")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	if msg, err := exec.Command(convert, append(append([]string{in}, args...), out)...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%v: %s", err, msg)
	}
	return os.ReadFile(out)
}

var inks = [4]color.CMYK{{0, 200, 200, 20}, {200, 0, 180, 30}, {220, 180, 0, 10}, {0, 40, 220, 0}}

// TestJPEGAdobeCMYK: an Adobe CMYK JPEG's inverted samples come out as the
// colours of their inks (color.CMYKToRGB), at 1/8 scale and whole.
func TestJPEGAdobeCMYK(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
	}{{"1/8 scale", 1280, 1280}, {"1/4 scale", 800, 800}, {"whole", 320, 320}} {
		data := adobeCMYK(t, tc.w, tc.h, inks, false)
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			t.Fatalf("%s: the test's CMYK JPEG is broken: %v", tc.name, err)
		}
		m := thumb(t, data, testBudget)
		checkQuadrants(t, tc.name, m, func(q int) color.RGBA {
			r, g, b := color.CMYKToRGB(inks[q].C, inks[q].M, inks[q].Y, inks[q].K)
			return color.RGBA{r, g, b, 255}
		})
	}
}

func checkQuadrants(t *testing.T, name string, m *image.RGBA, want func(q int) color.RGBA) {
	t.Helper()
	w, h := m.Rect.Dx(), m.Rect.Dy()
	for q := range 4 {
		x, y := w/4+w/2*(q%2), h/4+h/2*(q/2)
		if c := m.RGBAAt(x, y); !near(c, want(q), 8) {
			t.Errorf("%s: the %s is %v; want %v", name, quads[q], c, want(q))
		}
	}
}

// TestJPEGYCCK: the YCCK fixtures (Adobe transform 2) show the colours the
// standard library decodes, at 1/8 scale, baseline and progressive.
func TestJPEGYCCK(t *testing.T) {
	for _, name := range []string{"ycck.jpg", "ycck-progressive.jpg"} {
		data := fixture(t, name)
		m, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m.(*image.CMYK); !ok {
			t.Fatalf("%s decodes to %T; want a CMYK image", name, m)
		}
		b := m.Bounds()
		checkQuadrants(t, name, thumb(t, data, testBudget), func(q int) color.RGBA {
			return color.RGBAModel.Convert(m.At(b.Dx()/4+b.Dx()/2*(q%2), b.Dy()/4+b.Dy()/2*(q/2))).(color.RGBA)
		})
	}
	// And an Adobe CMYK file made progressive by ImageMagick (which writes
	// it back as YCCK).
	checkQuadrants(t, "progressive CMYK", thumb(t, adobeCMYK(t, 1280, 1280, inks, true), testBudget), func(q int) color.RGBA {
		r, g, b := color.CMYKToRGB(inks[q].C, inks[q].M, inks[q].Y, inks[q].K)
		return color.RGBA{r, g, b, 255}
	})
}

// TestJPEGCloseToOldPreview: on a photo, the 1/8-scale preview looks like
// the one made from the whole decoded image, baseline, progressive and
// gray.
func TestJPEGCloseToOldPreview(t *testing.T) {
	src := photo(1600, 1200, 1)
	baseline := encodeJPEG(t, src, 85)
	gray := image.NewGray(src.Bounds())
	for i := range gray.Pix {
		gray.Pix[i] = src.Pix[4*i+1]
	}
	for _, tc := range []struct {
		name string
		data func() []byte
	}{
		{"baseline", func() []byte { return baseline }},
		{"gray", func() []byte { return encodeJPEG(t, gray, 85) }},
		{"progressive", func() []byte { return imagemagick(t, baseline, "-interlace", "Plane") }},
		{"4:4:4 with restart markers", func() []byte {
			return imagemagick(t, baseline, "-sampling-factor", "1x1", "-define", "jpeg:restart-interval=5")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data()
			old, err := oldMake(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			d, ok := meanAbs(thumb(t, data, testBudget), decodeJPEG(t, old))
			if !ok {
				t.Fatal("the previews differ in size")
			}
			t.Logf("mean difference from the old preview: %.2f", d)
			if d > 3 {
				t.Errorf("the preview differs from the old one by %.2f on average", d)
			}
		})
	}
}

// TestMiddlingJPEGIsDecodedAtAQuarter: a photo as messengers resize it
// (800×600), whose 1/8 scale is smaller than the thumbnail, is decoded at
// 1/4 from its coefficients, not whole: it takes a fraction of a whole
// decode's budget. Its progressive twin, which has no quarter, is decoded
// whole.
func TestMiddlingJPEGIsDecodedAtAQuarter(t *testing.T) {
	data := encodeJPEG(t, photo(800, 600, 3), 85)
	for _, tc := range []struct {
		name      string
		data      []byte
		atQuarter bool
	}{
		{"baseline", data, true},
		{"progressive", imagemagick(t, data, "-interlace", "Plane"), false},
	} {
		var cfg jpegdc.Config
		jpegdc.Decode(bytes.NewReader(tc.data), func(c jpegdc.Config) (jpegdc.Scale, error) {
			cfg = c
			return jpegdc.Eighth, errors.New("only the header")
		})
		budget := NewBudget(1 << 30)
		m := thumb(t, tc.data, budget)
		if m.Rect.Dx() != MaxSide || m.Rect.Dy() != 120 {
			t.Fatalf("%s: preview is %v; want 160x120", tc.name, m.Rect)
		}
		whole, took := wholeJPEGCost(cfg), budget.last.Load()
		if quarter := took < whole/2; quarter != tc.atQuarter {
			t.Errorf("%s: took %d bytes of the budget against %d for a whole decode; at a quarter: %v, want %v",
				tc.name, took, whole, quarter, tc.atQuarter)
		}
	}
}
