package thumbnail

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// perPixelYCbCr is how addImage read a YCbCr image before addYCbCr:
// every pixel converted to RGB, then averaged. It is the reference for the
// colours and the baseline of the benchmark.
func perPixelYCbCr(b *boxer, s *image.YCbCr) {
	x0, x1 := b.crop.Min.X+s.Rect.Min.X, b.crop.Max.X+s.Rect.Min.X
	for y := b.crop.Min.Y; y < b.crop.Max.Y; y++ {
		sy := y + s.Rect.Min.Y
		for x, i := x0, 0; x < x1; x, i = x+1, i+4 {
			yi, ci := s.YOffset(x, sy), s.COffset(x, sy)
			r, g, bl := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
			b.row[i], b.row[i+1], b.row[i+2], b.row[i+3] = uint16(r)*0x101, uint16(g)*0x101, uint16(bl)*0x101, 0xffff
		}
		b.add(y)
	}
}

// decodedPhoto is a photo as a JPEG decoder gives it: 4:2:0 YCbCr, with an
// odd size so the last blocks and chroma samples are partial.
func decodedPhoto(t testing.TB, w, h int) *image.YCbCr {
	m, err := jpeg.Decode(bytes.NewReader(encodeJPEG(t, photo(w, h, 21), 85)))
	if err != nil {
		t.Fatal(err)
	}
	return m.(*image.YCbCr)
}

// TestYCbCrBlocksKeepTheirColour: averaging a block in YCbCr and converting
// once gives the colours of converting each pixel first: to two levels for
// 99.5 % of channels (rounding), the rest where clamping at the gamut's
// edge differs; for several shrink factors and a crop off the origin.
func TestYCbCrBlocksKeepTheirColour(t *testing.T) {
	src := decodedPhoto(t, 803, 601)
	for _, c := range []struct {
		crop image.Rectangle
		k    int
	}{
		{src.Rect, 1}, {src.Rect, 2}, {src.Rect, 5}, {image.Rect(101, 0, 702, 601), 3}, {image.Rect(0, 1, 803, 400), 8},
	} {
		fast, ref := newBoxer(c.crop, c.k), newBoxer(c.crop, c.k)
		fast.addImage(src)
		perPixelYCbCr(ref, src)
		worst, off := 0, 0
		for i := range fast.out.Pix {
			d := absDiff(int(fast.out.Pix[i]), int(ref.out.Pix[i]))
			worst = max(worst, d)
			if d > 2 {
				off++
			}
		}
		t.Logf("crop %v, k=%d: worst %d levels, %d of %d channels off by more than 2", c.crop, c.k, worst, off, len(fast.out.Pix))
		// Clamping differs only where a block straddles the gamut's edge
		// (this photo has saturated hard edges): rare, and never far.
		if 1000*off > 5*len(fast.out.Pix) || worst > 32 {
			t.Errorf("crop %v, k=%d: %d channels differ by more than 2 levels from converting each pixel, the worst by %d", c.crop, c.k, off, worst)
		}
	}
}

func absDiff(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}

// BenchmarkShrinkYCbCr: the box filter of a decoded 800×600 photo (what a
// messenger sends; its preview decodes it whole) by block averages, against
// converting every pixel first (perPixel, the baseline).
func BenchmarkShrinkYCbCr(b *testing.B) {
	src := decodedPhoto(b, 800, 600)
	crop, _, _, k := plan(800, 600)
	b.Run("blocks", func(b *testing.B) {
		for b.Loop() {
			newBoxer(crop, k).addImage(src)
		}
	})
	b.Run("perPixel", func(b *testing.B) {
		for b.Loop() {
			perPixelYCbCr(newBoxer(crop, k), src)
		}
	})
}
