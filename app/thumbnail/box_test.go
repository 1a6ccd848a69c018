package thumbnail

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"testing"

	"golang.org/x/image/draw"
)

// TestBoxerAverages: each output pixel is the average of its block,
// partial blocks at the edges included; straight alpha is premultiplied.
func TestBoxerAverages(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i, v := range []uint8{10, 20, 30, 40, 50, 60} { // grey levels, row by row
		src.Set(i%3, i/3, color.RGBA{v, v, v, 255})
	}
	b := newBoxer(src.Rect, 2)
	b.addImage(src)
	if b.out.Rect.Dx() != 2 || b.out.Rect.Dy() != 1 {
		t.Fatalf("shrunk to %v; want 2×1", b.out.Rect)
	}
	if got := b.out.RGBAAt(0, 0).R; got != (10+20+40+50)/4 {
		t.Errorf("the full block averages to %d; want %d", got, (10+20+40+50)/4)
	}
	if got := b.out.RGBAAt(1, 0).R; got != (30+60)/2 {
		t.Errorf("the edge block averages to %d; want %d", got, (30+60)/2)
	}
	straight := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	straight.SetNRGBA(0, 0, color.NRGBA{200, 0, 0, 255})
	straight.SetNRGBA(1, 0, color.NRGBA{0, 0, 255, 0}) // invisible: adds no blue
	b = newBoxer(straight.Rect, 2)
	b.addImage(straight)
	if got := b.out.RGBAAt(0, 0); got != (color.RGBA{100, 0, 0, 128}) {
		t.Errorf("straight alpha averaged to %v; want {100 0 0 128}", got)
	}
	// A crop's rows and columns outside it are left out.
	b = newBoxer(image.Rect(1, 1, 3, 2), 2)
	b.addImage(src)
	if got := b.out.RGBAAt(0, 0).R; got != (50+60)/2 {
		t.Errorf("the cropped block averages to %d; want %d", got, (50+60)/2)
	}
}

// TestAreaScale: each output pixel is the mean of the area it covers,
// over white.
func TestAreaScale(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 1))
	for x, v := range []uint8{30, 60, 90} {
		src.SetRGBA(x, 0, color.RGBA{v, v, v, 255})
	}
	got := areaScale(src, 2, 1)
	// Output pixel 0 covers 1½ source pixels: (30 + 60/2) / 1.5 = 40.
	if r0, r1 := got.RGBAAt(0, 0).R, got.RGBAAt(1, 0).R; r0 != 40 || r1 != 80 {
		t.Errorf("3→2 gave %d, %d; want 40, 80", r0, r1)
	}
	clear(src.Pix) // transparent
	if c := areaScale(src, 2, 1).RGBAAt(1, 0); c != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("transparent became %v; want white", c)
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

// direct is the old thumbnail's scaling without the box step, BiLinear
// from the whole image: the reference for how a preview should look.
func direct(src image.Image) *image.RGBA {
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy())
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	return dst
}

// TestPreviewLooksLikeBiLinear: on every layout the decoders make, the box
// filter then area averaging gives what BiLinear from the whole image gives,
// to within a couple of levels on average and a few at its worst pixel.
func TestPreviewLooksLikeBiLinear(t *testing.T) {
	nrgba := scene(960, 720)
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
		_, tw, th, _ := plan(src.Bounds().Dx(), src.Bounds().Dy())
		a, b := direct(src), areaScale(shrinkFull(src), tw, th)
		var sum, worst float64
		for i := range a.Pix {
			d := math.Abs(float64(a.Pix[i]) - float64(b.Pix[i]))
			sum, worst = sum+d, max(worst, d)
		}
		if mean := sum / float64(len(a.Pix)); mean > 2 || worst > 40 {
			t.Errorf("%s: the preview differs from BiLinear by %.2f on average, %v at worst", name, mean, worst)
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
