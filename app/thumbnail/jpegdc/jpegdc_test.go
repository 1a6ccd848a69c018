package jpegdc

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// photo is smooth gradients with a few edges: what the DC image is for.
func photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			r := uint8(255 * x / w)
			g := uint8(255 * y / h)
			b := uint8(128 + 100*math.Sin(float64(x+y)/40))
			if (x/50+y/70)%3 == 0 {
				r = 255 - r
			}
			m.SetRGBA(x, y, color.RGBA{r, g, b, 255})
		}
	}
	return m
}

// blockMeans is the reference: the standard library's full decode,
// averaged over each n×n square (8: the blocks; 4: their quadrants).
func blockMeans(t testing.TB, data []byte, n int) *image.RGBA {
	t.Helper()
	full, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := full.Bounds()
	if ycc, ok := full.(*image.YCbCr); ok {
		return planeMeans(ycc, n)
	}
	m := image.NewRGBA(image.Rect(0, 0, (b.Dx()+n-1)/n, (b.Dy()+n-1)/n))
	for by := 0; by < m.Rect.Dy(); by++ {
		for bx := 0; bx < m.Rect.Dx(); bx++ {
			var s [3]uint32
			k := uint32(0)
			for y := by * n; y < min(by*n+n, b.Dy()); y++ {
				for x := bx * n; x < min(bx*n+n, b.Dx()); x++ {
					r, g, bl, _ := full.At(x, y).RGBA()
					s[0], s[1], s[2] = s[0]+r>>8, s[1]+g>>8, s[2]+bl>>8
					k++
				}
			}
			m.SetRGBA(bx, by, color.RGBA{uint8(s[0] / k), uint8(s[1] / k), uint8(s[2] / k), 255})
		}
	}
	return m
}

// planeMeans averages Y over each n×n square and the chroma over the n×n
// square of the chroma plane under it, which is what the DC coefficients
// (n = 8) and the quadrant means (n = 4) are.
func planeMeans(s *image.YCbCr, n int) *image.RGBA {
	b := s.Rect
	hd, vd := 1, 1
	switch s.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		hd = 2
	case image.YCbCrSubsampleRatio420:
		hd, vd = 2, 2
	case image.YCbCrSubsampleRatio440:
		vd = 2
	case image.YCbCrSubsampleRatio411:
		hd = 4
	case image.YCbCrSubsampleRatio410:
		hd, vd = 4, 2
	}
	cw, ch := (b.Dx()+hd-1)/hd, (b.Dy()+vd-1)/vd
	m := image.NewRGBA(image.Rect(0, 0, (b.Dx()+n-1)/n, (b.Dy()+n-1)/n))
	for by := 0; by < m.Rect.Dy(); by++ {
		for bx := 0; bx < m.Rect.Dx(); bx++ {
			var yy, yn uint32
			for y := by * n; y < min(by*n+n, b.Dy()); y++ {
				for x := bx * n; x < min(bx*n+n, b.Dx()); x++ {
					yy += uint32(s.Y[s.YOffset(x, y)])
					yn++
				}
			}
			var cb, cr, cn uint32
			cbx, cby := bx/hd*n, by/vd*n
			for y := cby; y < min(cby+n, ch); y++ {
				for x := cbx; x < min(cbx+n, cw); x++ {
					i := y*s.CStride + x
					cb, cr = cb+uint32(s.Cb[i]), cr+uint32(s.Cr[i])
					cn++
				}
			}
			r, g, bl := color.YCbCrToRGB(uint8(yy/yn), uint8(cb/cn), uint8(cr/cn))
			m.SetRGBA(bx, by, color.RGBA{r, g, bl, 255})
		}
	}
	return m
}

// meanDiff is the mean absolute difference of two equally sized images'
// colour channels, over the n×n squares that are whole in both.
func meanDiff(a, b *image.RGBA, w, h, side int) float64 {
	var sum float64
	n := 0
	for y := 0; y < h/side; y++ {
		for x := 0; x < w/side; x++ {
			p, q := a.RGBAAt(x, y), b.RGBAAt(x, y)
			sum += math.Abs(float64(p.R)-float64(q.R)) + math.Abs(float64(p.G)-float64(q.G)) + math.Abs(float64(p.B)-float64(q.B))
			n += 3
		}
	}
	return sum / float64(n)
}

// check decodes data at 1/8 and, unless it is progressive, at 1/4, and
// compares each with the standard library's full decode averaged to the
// same scale.
func check(t *testing.T, name string, data []byte, tol float64) {
	t.Helper()
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, scale := range []Scale{Eighth, Quarter} {
		n, label := 8, name+" at 1/8"
		if scale == Quarter {
			n, label = 4, name+" at 1/4"
		}
		var progressive bool
		got, err := Decode(bytes.NewReader(data), func(c Config) (Scale, error) {
			progressive = c.Progressive
			if c.Progressive {
				return Eighth, nil
			}
			return scale, nil
		})
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if progressive && scale == Quarter {
			continue
		}
		if got.Rect.Dx() != (cfg.Width+n-1)/n || got.Rect.Dy() != (cfg.Height+n-1)/n {
			t.Fatalf("%s: the image is %v for a %dx%d image", label, got.Rect, cfg.Width, cfg.Height)
		}
		want := blockMeans(t, data, n)
		if d := meanDiff(got, want, cfg.Width, cfg.Height, n); d > tol {
			t.Errorf("%s: differs from the means by %.2f on average", label, d)
		} else {
			t.Logf("%s: mean difference %.2f", label, d)
		}
	}
}

func TestDecodeMatchesBlockMeans(t *testing.T) {
	src := photo(333, 250)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	check(t, "baseline 4:2:0", buf.Bytes(), 2)
	gray := image.NewGray(src.Bounds())
	for i := range gray.Pix {
		gray.Pix[i] = src.Pix[4*(i%333)+src.Stride*(i/333)]
	}
	buf.Reset()
	if err := jpeg.Encode(&buf, gray, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	check(t, "gray", buf.Bytes(), 2)
}

// TestDecodeFixtures compares the DC image with the standard library on
// the committed fixtures (testdata/README.md says how they were made).
func TestDecodeFixtures(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.jpg")
	if len(files) == 0 {
		t.Fatal("no fixtures in app/thumbnail/testdata")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(t, filepath.Base(f), data, 3)
	}
}

// TestDecodeProgressiveMade checks progressive files ImageMagick makes
// here, when it is installed.
func TestDecodeProgressiveMade(t *testing.T) {
	convert, err := exec.LookPath("convert")
	if err != nil {
		t.Fatalf("ImageMagick is missing (%v): install it with `bash .ci/image-deps.sh` (as root)", err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photo(517, 301), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jpg")
	os.WriteFile(in, buf.Bytes(), 0o600)
	for name, args := range map[string][]string{
		"progressive 4:2:0":         {"-interlace", "Plane", "-sampling-factor", "2x2"},
		"progressive 4:4:4":         {"-interlace", "Plane", "-sampling-factor", "1x1"},
		"progressive 4:2:2 restart": {"-interlace", "Plane", "-sampling-factor", "2x1", "-define", "jpeg:restart-interval=3"},
		"baseline 4:1:1 restart":    {"-sampling-factor", "4x1", "-define", "jpeg:restart-interval=2"},
		"progressive gray":          {"-interlace", "Plane", "-colorspace", "Gray"},
		"cmyk":                      {"-colorspace", "CMYK"},
		"progressive cmyk":          {"-interlace", "Plane", "-colorspace", "CMYK"},
	} {
		out := filepath.Join(dir, "out.jpg")
		if msg, err := exec.Command(convert, append(append([]string{in}, args...), out)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", name, err, msg)
		}
		data, _ := os.ReadFile(out)
		check(t, name, data, 3)
	}
}

func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	jpeg.Encode(&buf, photo(40, 24), nil)
	f.Add(buf.Bytes())
	files, _ := filepath.Glob("../testdata/*.jpg")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, scale := range []Scale{Eighth, Quarter} {
			Decode(bytes.NewReader(data), func(c Config) (Scale, error) {
				if c.Cost > 64<<20 || c.QuarterCost > 64<<20 {
					return scale, FormatError("too large for the fuzzer")
				}
				return scale, nil
			})
		}
	})
}
