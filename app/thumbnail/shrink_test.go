package thumbnail

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"testing"
	"time"

	"golang.org/x/image/draw"
)

// TestBoxShrinkAverages: each output pixel is the average of its block,
// partial blocks at the edges included; straight alpha is premultiplied.
func TestBoxShrinkAverages(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i, v := range []uint8{10, 20, 30, 40, 50, 60} { // grey levels, row by row
		src.Set(i%3, i/3, color.RGBA{v, v, v, 255})
	}
	dst, ok := boxShrink(src, 2)
	if !ok || dst.Bounds().Dx() != 2 || dst.Bounds().Dy() != 1 {
		t.Fatalf("shrunk to %v (%v); want 2×1", dst.Bounds(), ok)
	}
	if got := dst.RGBAAt(0, 0).R; got != (10+20+40+50)/4 {
		t.Errorf("the full block averages to %d; want %d", got, (10+20+40+50)/4)
	}
	if got := dst.RGBAAt(1, 0).R; got != (30+60)/2 {
		t.Errorf("the edge block averages to %d; want %d", got, (30+60)/2)
	}
	straight := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	straight.SetNRGBA(0, 0, color.NRGBA{200, 0, 0, 255})
	straight.SetNRGBA(1, 0, color.NRGBA{0, 0, 255, 0}) // invisible: adds no blue
	if got, _ := boxShrink(straight, 2); got.RGBAAt(0, 0) != (color.RGBA{100, 0, 0, 127}) {
		t.Errorf("straight alpha averaged to %v; want {100 0 0 127}", got.RGBAAt(0, 0))
	}
	if _, ok := boxShrink(image.NewGray(image.Rect(0, 0, 4, 4)), 2); ok {
		t.Error("a layout without a fast path was shrunk")
	}
}

// scene is a large smooth picture with edges: what a photo's thumbnail shows.
func scene(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(255 * x / w), uint8(255 * y / h), 128, 255}
			if (x/(w/8)+y/(h/6))%2 == 0 {
				c.B = 30
			}
			if x > w/2 && y > h/2 {
				c.A = uint8(255 * (w - x) / w * 2) // fading out: flattened on white
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// direct is the thumbnail's scaling without the box step: the reference.
func direct(src image.Image) *image.RGBA {
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy())
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	return dst
}

// boxed is the thumbnail's scaling as Make does it.
func boxed(src image.Image) *image.RGBA {
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy())
	if k := shrinkFactor(src.Bounds().Dx(), src.Bounds().Dy(), w, h); k > 1 {
		if small, ok := boxShrink(src, k); ok {
			src = small
		}
	}
	return direct(src)
}

// TestBoxThenBiLinearLooksTheSame: on every fast layout, the thumbnail
// scaled through the box step is the directly scaled one, to within a
// couple of levels on average and a few at its worst pixel.
func TestBoxThenBiLinearLooksTheSame(t *testing.T) {
	nrgba := scene(1600, 1200)
	rgba := image.NewRGBA(nrgba.Bounds())
	draw.Draw(rgba, rgba.Bounds(), nrgba, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	ycc, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]image.Image{"RGBA": rgba, "NRGBA": nrgba, "YCbCr 4:2:0 (JPEG)": ycc}
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio411} {
		sources["YCbCr "+ratio.String()] = toYCbCr(rgba, ratio)
	}
	for name, src := range sources {
		a, b := direct(src), boxed(src)
		var sum, worst float64
		for i := range a.Pix {
			d := math.Abs(float64(a.Pix[i]) - float64(b.Pix[i]))
			sum, worst = sum+d, max(worst, d)
		}
		if mean := sum / float64(len(a.Pix)); mean > 2 || worst > 40 {
			t.Errorf("%s: box then BiLinear differs from BiLinear by %.2f on average, %v at worst", name, mean, worst)
		}
	}
}

// toYCbCr converts an opaque image to a YCbCr one of the given chroma
// subsampling (each chroma sample taken at its block's corner).
func toYCbCr(src *image.RGBA, ratio image.YCbCrSubsampleRatio) *image.YCbCr {
	b := src.Bounds()
	dst := image.NewYCbCr(b, ratio)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := src.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			dst.Y[dst.YOffset(x, y)] = yy
			ci := dst.COffset(x, y)
			dst.Cb[ci], dst.Cr[ci] = cb, cr
		}
	}
	return dst
}

// BenchmarkScale times the box step plus BiLinear against BiLinear alone
// (the baseline, in the same run) on a 12-megapixel photo's layout.
func BenchmarkScale(b *testing.B) {
	rgba := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	draw.Draw(rgba, rgba.Bounds(), scene(4000, 3000), image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	photo, err := jpeg.Decode(&buf)
	if err != nil {
		b.Fatal(err)
	}
	var tDirect, tBoxed time.Duration
	for b.Loop() {
		start := time.Now()
		direct(photo)
		mid := time.Now()
		boxed(photo)
		tDirect, tBoxed = tDirect+mid.Sub(start), tBoxed+time.Since(mid)
	}
	b.ReportMetric(float64(tDirect.Milliseconds())/float64(b.N), "ms-direct/op")
	b.ReportMetric(float64(tBoxed.Milliseconds())/float64(b.N), "ms-boxed/op")
	b.ReportMetric(float64(tBoxed)/float64(tDirect), "boxed/direct")
}
