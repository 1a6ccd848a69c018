package thumbnail

import (
	"bytes"
	"image"
	"image/color"
	_ "image/gif" // image.Decode reads GIFs
	"image/jpeg"
	_ "image/png" // and PNGs
	"io"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // and WebPs
)

// The thumbnail's old box step, on a whole decoded image: kept as the
// reference the streaming box filter and BenchmarkMakeFullDecode
// compare with.

// boxShrink averages src in k×k blocks (the last row and column of blocks
// may be smaller) into an opaque-or-not RGBA image, reading the pixel
// layouts the decoders produce directly. ok is false for other layouts,
// which go to BiLinear whole.
func boxShrink(src image.Image, k int) (dst *image.RGBA, ok bool) {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dst = image.NewRGBA(image.Rect(0, 0, (w+k-1)/k, (h+k-1)/k))
	switch s := src.(type) {
	case *image.RGBA:
		shrinkRGBA(dst, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, w, h, k, false)
	case *image.NRGBA:
		shrinkRGBA(dst, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, w, h, k, true)
	case *image.YCbCr:
		shrinkYCbCr(dst, s, k)
	default:
		return nil, false
	}
	return dst, true
}

// shrinkRGBA averages 4-byte pixels, pix starting at the image's corner;
// straight (non-premultiplied) ones are
// premultiplied first, so transparent pixels add no colour.
func shrinkRGBA(dst *image.RGBA, pix []byte, stride, w, h, k int, straight bool) {
	for oy := 0; oy*k < h; oy++ {
		y1 := min(oy*k+k, h)
		for ox := 0; ox*k < w; ox++ {
			x1 := min(ox*k+k, w)
			var r, g, bl, a, n uint64
			for y := oy * k; y < y1; y++ {
				row := pix[y*stride:]
				for x := ox * k; x < x1; x++ {
					p := row[4*x : 4*x+4 : 4*x+4]
					pa := uint64(p[3])
					if straight {
						r += uint64(p[0]) * pa / 255
						g += uint64(p[1]) * pa / 255
						bl += uint64(p[2]) * pa / 255
					} else {
						r, g, bl = r+uint64(p[0]), g+uint64(p[1]), bl+uint64(p[2])
					}
					a += pa
				}
				n += uint64(x1 - ox*k)
			}
			i := dst.PixOffset(ox, oy)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(r/n), uint8(g/n), uint8(bl/n), uint8(a/n)
		}
	}
}

// shrinkYCbCr averages Y over each block, and Cb and Cr over the chroma
// samples under it, then converts once: the conversion is linear (up to
// clamping), so this is the block's average colour. Rows are summed as
// slices: a function call per pixel would cost more than the sums.
func shrinkYCbCr(dst *image.RGBA, s *image.YCbCr, k int) {
	b := s.Rect
	w, h := b.Dx(), b.Dy()
	hdiv, vdiv := chromaDivisors(s.SubsampleRatio)
	yBase, cBase := s.YOffset(b.Min.X, b.Min.Y), s.COffset(b.Min.X, b.Min.Y)
	cw, ch := (w+hdiv-1)/hdiv, (h+vdiv-1)/vdiv
	for oy := 0; oy*k < h; oy++ {
		y0, y1 := oy*k, min(oy*k+k, h)
		cy0, cy1 := y0/vdiv, min((y1+vdiv-1)/vdiv, ch)
		for ox := 0; ox*k < w; ox++ {
			x0, x1 := ox*k, min(ox*k+k, w)
			cx0, cx1 := x0/hdiv, min((x1+hdiv-1)/hdiv, cw)
			var yy, cb, cr uint64
			for y := y0; y < y1; y++ {
				yy += sum(s.Y[yBase+y*s.YStride+x0 : yBase+y*s.YStride+x1])
			}
			for y := cy0; y < cy1; y++ {
				i := cBase + y*s.CStride
				cb += sum(s.Cb[i+cx0 : i+cx1])
				cr += sum(s.Cr[i+cx0 : i+cx1])
			}
			n, cn := uint64((y1-y0)*(x1-x0)), uint64((cy1-cy0)*(cx1-cx0))
			r, g, bl := color.YCbCrToRGB(uint8(yy/n), uint8(cb/cn), uint8(cr/cn))
			i := dst.PixOffset(ox, oy)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = r, g, bl, 255
		}
	}
}

// chromaDivisors is how many luma columns and rows share a chroma sample.
func chromaDivisors(r image.YCbCrSubsampleRatio) (h, v int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

func sum(p []byte) uint64 {
	var t uint64
	for _, v := range p {
		t += uint64(v)
	}
	return t
}

// oldMake is Make as it was before the budget: image.Decode of the whole
// image, the box step on the decoded layout, BiLinear to fit, no crop and
// no orientation. The tests compare previews with it, and
// BenchmarkMakeFullDecode times it.
func oldMake(r io.Reader) ([]byte, error) {
	src, _, err := image.Decode(r)
	if err != nil {
		return nil, err
	}
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy())
	if k := shrinkFactor(src.Bounds().Dx(), src.Bounds().Dy(), w, h); k > 1 {
		if small, ok := boxShrink(src, k); ok {
			src = small
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
