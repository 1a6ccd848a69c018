// Package thumbnail makes the small preview of an image that the inbox and
// conversations show: decoded by the preview worker after the send has
// answered (messaging/previews.go), its centre cropped to at most 2:1, scaled to fit a square of MaxSide pixels,
// flattened on white, encoded as a JPEG.
//
// A preview costs a few MiB whatever the image's pixel count: a JPEG is
// decoded at 1/8 scale from its DC coefficients, or at 1/4 from 25 of its
// coefficients when 1/8 would be too small (package jpegdc), a PNG row
// by row into the box filter's sums, and only what is small when decoded
// (GIF and WebP, small JPEGs, interlaced PNGs) is decoded whole. Each
// decode first works out from the header what it will allocate and takes
// that much from a [Budget], which bounds what all the decodes of a
// process hold at once.
//
// # Cost model
//
// The bytes a decode takes from the budget are an upper bound of what it
// allocates, garbage included (TestCostIsAnUpperBound measures each path):
//
//   - every decode: overhead (fixed buffers, the decoder states, the final
//     scale and encode), plus the box filter: 32 bytes a column of blocks,
//     4 a block, and 8 a pixel of the crop's width for the scratch row;
//   - a JPEG at 1/8: 2 bytes a block and component of the padded frame,
//     4 a block for the DC image, and 4 more a block to turn it upright;
//   - a JPEG at 1/4 (a sequential one whose 1/8 scale would be smaller than
//     the thumbnail but whose 1/4 is not): 6 bytes a block and component,
//     4 a pixel of the 1/4 image, and 4 more a pixel to turn it upright;
//   - a JPEG decoded whole (one whose 1/8 scale would be smaller than the
//     thumbnail and 1/4 is no option, when the budget allows): what image/jpeg holds (at most 8
//     bytes a pixel of the frame padded to 32, and 16 more for a
//     progressive one), and, when the EXIF orientation turns it, 12 bytes
//     a pixel to do so;
//   - a PNG row by row: two rows of raw samples;
//   - an interlaced PNG, decoded whole: twice its decoded size (the passes,
//     then the image), at 8 bytes a pixel for 16-bit samples, 4 otherwise;
//   - a PNG whose eXIf turns it, on either path: 4 more bytes a block, to
//     turn the box-filtered image upright;
//   - a GIF: twice the logical screen at a byte a pixel (an interlaced
//     frame is decoded, then reordered into a copy);
//   - a WebP: 16 bytes a pixel of the canvas, padded to whole macroblocks.
package thumbnail

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
)

const (
	// MaxSide is the longest side of a thumbnail in pixels: twice the
	// largest size the pages show one at, for sharp high-density screens.
	MaxSide = 160
	// quality keeps a thumbnail near 4 KB; it is a preview, not the image.
	quality = 70
	// maxAspect is how much longer than the other a preview's side may
	// be: the clients show previews as square tiles (object-fit: cover),
	// so a panorama is cut to its centre rather than kept as a sliver.
	maxAspect = 2
	// overhead bounds what a decode allocates whatever the image's size:
	// the input buffer, a decoder's fixed state (image/jpeg's and zlib's
	// are the largest, some 50 KiB each), the header kept to replay a
	// JPEG, and the thumbnail's scaling and encoding.
	overhead = 384 << 10
)

// Make reads an image as it is stored (PNG, JPEG, GIF, WebP or AVIF,
// metadata stripped but for a JPEG's EXIF orientation and a PNG's eXIf)
// and returns its preview as a JPEG. Before it decodes pixels it works out
// from the header how many bytes the decode will hold and waits for them
// from budget (or for ctx to end); it returns ErrTooCostly, at once, for an
// image that would need more than the whole budget, and for any AVIF (see
// errAVIF). It does not read r to its end when the rest is not needed (a
// GIF's later frames, a PNG's rows below the preview's crop).
func Make(ctx context.Context, r io.Reader, budget *Budget) (thumb []byte, err error) {
	defer func() {
		if p := recover(); p != nil { // a decoder bug on hostile input is an error, not a crash
			thumb, err = nil, fmt.Errorf("thumbnail: decoder panic: %v", p)
		}
	}()
	if budget == nil {
		return nil, errors.New("thumbnail: no budget")
	}
	// The decoders read as they go, so a context that ends stops them at
	// their next read: the budget bounds a decode's memory, not its time.
	br := bufio.NewReader(ctxReader{ctx, r})
	magic, _ := br.Peek(16)
	var small *image.RGBA
	var tw, th int
	switch {
	case bytes.HasPrefix(magic, []byte("\xff\xd8")):
		small, tw, th, err = makeJPEG(ctx, br, budget)
	case bytes.HasPrefix(magic, []byte(pngHeader)):
		small, tw, th, err = makePNG(ctx, br, budget)
	case bytes.HasPrefix(magic, []byte("GIF8")):
		small, tw, th, err = makeGIF(ctx, br, budget)
	case len(magic) >= 16 && string(magic[:4]) == "RIFF" && string(magic[8:15]) == "WEBPVP8":
		small, tw, th, err = makeWebP(ctx, br, budget)
	case len(magic) >= 12 && string(magic[4:12]) == "ftypavif":
		return nil, errAVIF
	default:
		return nil, errors.New("thumbnail: decode: not a PNG, JPEG, GIF or WebP image")
	}
	if err != nil {
		return nil, wrap(err)
	}
	return encode(small, tw, th)
}

// errAVIF gives an AVIF a caption-only preview. The only pure-Go decoder
// (github.com/gen2brain/avif: libavif in WebAssembly under wazero) reads
// the whole file, cannot be stopped, and grows a linear memory that the
// package gives no way to bound: a 12 MP AVIF took 10 s and 728 MiB of
// RSS here, a 1 MP one 0.45 s and 57 MiB, each over what a preview may
// cost (the whole budget is 64 MiB).
var errAVIF = fmt.Errorf("%w: AVIF has no decoder whose memory can be bounded", ErrTooCostly)

// wrap gives an error from a decode the package's prefix.
func wrap(err error) error {
	switch {
	case errors.Is(err, ErrTooCostly):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("thumbnail: %w", err)
	}
	return fmt.Errorf("thumbnail: decode: %w", err)
}

// plan is what a preview of a w×h image (as shown) is made of: the centre
// crop, the thumbnail's size, and the box filter's block side.
func plan(w, h int) (crop image.Rectangle, tw, th, k int) {
	cw, ch := w, h
	if cw > maxAspect*ch {
		cw = maxAspect * ch
	}
	if ch > maxAspect*cw {
		ch = maxAspect * cw
	}
	x0, y0 := (w-cw)/2, (h-ch)/2
	crop = image.Rect(x0, y0, x0+cw, y0+ch)
	tw, th = fit(cw, ch)
	return crop, tw, th, shrinkFactor(cw, ch, tw, th)
}

// fit scales w×h down to fit a MaxSide square, keeping the aspect ratio and
// at least one pixel a side; smaller images keep their size.
func fit(w, h int) (int, int) {
	if w <= MaxSide && h <= MaxSide {
		return w, h
	}
	if w >= h {
		return MaxSide, max(1, h*MaxSide/w)
	}
	return max(1, w*MaxSide/h), MaxSide
}

// encode scales the box-filtered image to tw×th over white and encodes it.
func encode(small *image.RGBA, tw, th int) ([]byte, error) {
	if tw < 1 || th < 1 || small.Rect.Empty() {
		return nil, errors.New("thumbnail: decode: the image has no pixels")
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, areaScale(small, tw, th), &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("thumbnail: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// shrinkFull box-filters a decoded image (as shown) to what encode takes.
func shrinkFull(m image.Image) *image.RGBA {
	crop, _, _, k := plan(m.Bounds().Dx(), m.Bounds().Dy())
	b := newBoxer(crop, k)
	b.addImage(m)
	return b.out
}

// fullCost is the box filter's share of the cost of a w×h image.
func filterCost(w, h int) int64 {
	crop, _, _, k := plan(w, h)
	return boxerCost(crop, k)
}

// ctxReader ends reading once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
