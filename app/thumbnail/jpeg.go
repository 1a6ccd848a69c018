package thumbnail

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"io"

	"imageapp/app/thumbnail/jpegdc"
)

// maxReplay bounds the JPEG header kept in case the image turns out small
// enough to decode whole: a stripped header (tables and the EXIF
// orientation) is a few hundred bytes.
const maxReplay = 64 << 10

// errDecodeWhole stops the DC decode of a JPEG that is better decoded whole.
var errDecodeWhole = errors.New("decode whole")

// makeJPEG decodes a JPEG at 1/8 scale, turned upright; at 1/4 when 1/8
// would be smaller than the thumbnail but 1/4 is not (a sequential JPEG
// only: a progressive one's quarter needs its AC scans); else whole, when
// the budget allows.
func makeJPEG(ctx context.Context, r io.Reader, budget *Budget) (small *image.RGBA, tw, th int, err error) {
	rec := &recorder{r: r, buf: make([]byte, 0, maxReplay)}
	var release func()
	defer func() {
		if release != nil {
			release()
		}
	}()
	var cfg jpegdc.Config
	var crop image.Rectangle
	var k int
	dc, err := jpegdc.Decode(rec, func(c jpegdc.Config) (jpegdc.Scale, error) {
		cfg = c
		w, h := orientedSize(c.Width, c.Height, c.Orientation)
		var fullCrop image.Rectangle
		fullCrop, tw, th, _ = plan(w, h)
		scale, n, cost := jpegdc.Eighth, 8, c.Cost
		if fullCrop.Dx()/8 < tw || fullCrop.Dy()/8 < th {
			if !c.Progressive && fullCrop.Dx()/4 >= tw && fullCrop.Dy()/4 >= th {
				scale, n, cost = jpegdc.Quarter, 4, c.QuarterCost
			} else if whole := wholeJPEGCost(c); whole <= budget.Max() && !rec.over {
				rec.stop()
				rel, err := budget.acquire(ctx, whole)
				if err != nil {
					return scale, err
				}
				release = rel
				return scale, errDecodeWhole
			}
		}
		rec.stop()
		rec.buf = nil
		dw, dh := orientedSize((c.Width+n-1)/n, (c.Height+n-1)/n, c.Orientation)
		crop = image.Rect(fullCrop.Min.X/n, fullCrop.Min.Y/n, (fullCrop.Max.X+n-1)/n, (fullCrop.Max.Y+n-1)/n).Intersect(image.Rect(0, 0, dw, dh))
		k = shrinkFactor(crop.Dx(), crop.Dy(), tw, th)
		cost += overhead + boxerCost(crop, k)
		if c.Orientation != 1 {
			cost += 4 * area(dw, dh)
		}
		rel, err := budget.acquire(ctx, cost)
		release = rel
		return scale, err
	})
	if errors.Is(err, errDecodeWhole) {
		return decodeWholeJPEG(io.MultiReader(bytes.NewReader(rec.buf), r), cfg.Orientation)
	}
	if err != nil {
		return nil, 0, 0, err
	}
	dc = orient(dc, cfg.Orientation)
	b := newBoxer(crop, k)
	b.addImage(dc)
	return b.out, tw, th, nil
}

// wholeJPEGCost bounds what image/jpeg and the rest of a whole decode
// allocate: Y, chroma and K planes (at most 4 bytes a pixel of the frame,
// padded to whole MCUs, at most 32×32), a second image when the colour
// model is converted (CMYK, YCbCrK, RGB: 4 more), progressive coefficients
// (64 int32s a block and component: 16 bytes a pixel), and, for a turned
// image, the copy to RGBA and the turned copy.
func wholeJPEGCost(c jpegdc.Config) int64 {
	pw, ph := int64((c.Width+31)/32*32), int64((c.Height+31)/32*32)
	perPixel := int64(8)
	if c.Progressive {
		perPixel += 16
	}
	cost := overhead + pw*ph*perPixel
	w, h := orientedSize(c.Width, c.Height, c.Orientation)
	if c.Orientation != 1 {
		cost += 8*area(w, h) + boxerCost(image.Rect(0, 0, w, h), 1)
	}
	return cost + filterCost(w, h)
}

func decodeWholeJPEG(r io.Reader, orientation int) (small *image.RGBA, tw, th int, err error) {
	m, err := jpeg.Decode(r)
	if err != nil {
		return nil, 0, 0, err
	}
	if orientation != 1 {
		b := m.Bounds()
		flat := newBoxer(image.Rect(0, 0, b.Dx(), b.Dy()), 1)
		flat.addImage(m)
		m = orient(flat.out, orientation)
	}
	_, tw, th, _ = plan(m.Bounds().Dx(), m.Bounds().Dy())
	return shrinkFull(m), tw, th, nil
}

// recorder keeps what is read through it, up to maxReplay bytes, so a
// decode that has read the header can hand the whole input to another.
type recorder struct {
	r       io.Reader
	buf     []byte
	stopped bool
	over    bool // more than maxReplay bytes went by: no replay
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if !c.stopped && !c.over {
		if len(c.buf)+n > cap(c.buf) {
			c.over, c.buf = true, nil
		} else {
			c.buf = append(c.buf, p[:n]...)
		}
	}
	return n, err
}

// stop ends the recording; what was kept stays in buf.
func (c *recorder) stop() { c.stopped = true }
