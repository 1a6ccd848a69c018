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
// averaged over each 8×8 block.
func blockMeans(t testing.TB, data []byte) *image.RGBA {
	t.Helper()
	full, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := full.Bounds()
	if ycc, ok := full.(*image.YCbCr); ok {
		return planeMeans(ycc)
	}
	m := image.NewRGBA(image.Rect(0, 0, (b.Dx()+7)/8, (b.Dy()+7)/8))
	for by := 0; by < m.Rect.Dy(); by++ {
		for bx := 0; bx < m.Rect.Dx(); bx++ {
			var s [3]uint32
			n := uint32(0)
			for y := by * 8; y < min(by*8+8, b.Dy()); y++ {
				for x := bx * 8; x < min(bx*8+8, b.Dx()); x++ {
					r, g, bl, _ := full.At(x, y).RGBA()
					s[0], s[1], s[2] = s[0]+r>>8, s[1]+g>>8, s[2]+bl>>8
					n++
				}
			}
			m.SetRGBA(bx, by, color.RGBA{uint8(s[0] / n), uint8(s[1] / n), uint8(s[2] / n), 255})
		}
	}
	return m
}

// planeMeans averages Y over each 8×8 block and the chroma over the 8×8
// chroma block under it, which is what the DC coefficients are.
func planeMeans(s *image.YCbCr) *image.RGBA {
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
	m := image.NewRGBA(image.Rect(0, 0, (b.Dx()+7)/8, (b.Dy()+7)/8))
	for by := 0; by < m.Rect.Dy(); by++ {
		for bx := 0; bx < m.Rect.Dx(); bx++ {
			var yy, n uint32
			for y := by * 8; y < min(by*8+8, b.Dy()); y++ {
				for x := bx * 8; x < min(bx*8+8, b.Dx()); x++ {
					yy += uint32(s.Y[s.YOffset(x, y)])
					n++
				}
			}
			var cb, cr, cn uint32
			cbx, cby := bx/hd*8, by/vd*8
			for y := cby; y < min(cby+8, ch); y++ {
				for x := cbx; x < min(cbx+8, cw); x++ {
					i := y*s.CStride + x
					cb, cr = cb+uint32(s.Cb[i]), cr+uint32(s.Cr[i])
					cn++
				}
			}
			r, g, bl := color.YCbCrToRGB(uint8(yy/n), uint8(cb/cn), uint8(cr/cn))
			m.SetRGBA(bx, by, color.RGBA{r, g, bl, 255})
		}
	}
	return m
}

// meanDiff is the mean absolute difference of two equally sized images'
// colour channels, over the blocks that are whole in both.
func meanDiff(a, b *image.RGBA, w, h int) float64 {
	var sum float64
	n := 0
	for y := 0; y < h/8; y++ {
		for x := 0; x < w/8; x++ {
			p, q := a.RGBAAt(x, y), b.RGBAAt(x, y)
			sum += math.Abs(float64(p.R)-float64(q.R)) + math.Abs(float64(p.G)-float64(q.G)) + math.Abs(float64(p.B)-float64(q.B))
			n += 3
		}
	}
	return sum / float64(n)
}

func check(t *testing.T, name string, data []byte, tol float64) {
	t.Helper()
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got, err := Decode(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got.Rect.Dx() != (cfg.Width+7)/8 || got.Rect.Dy() != (cfg.Height+7)/8 {
		t.Fatalf("%s: DC image is %v for a %dx%d image", name, got.Rect, cfg.Width, cfg.Height)
	}
	want := blockMeans(t, data)
	if d := meanDiff(got, want, cfg.Width, cfg.Height); d > tol {
		t.Errorf("%s: DC image differs from the block means by %.2f on average", name, d)
	} else {
		t.Logf("%s: mean difference %.2f", name, d)
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
		Decode(bytes.NewReader(data), func(c Config) error {
			if c.Cost > 64<<20 {
				return FormatError("too large for the fuzzer")
			}
			return nil
		})
	})
}
