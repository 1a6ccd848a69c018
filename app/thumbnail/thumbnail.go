// Package thumbnail makes the small preview of an image that the inbox and
// conversations show: decoded once while the send streams it, scaled to fit
// a square of MaxSide pixels, flattened on white, encoded as a JPEG.
package thumbnail

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // registers the GIF decoder (the first frame is the preview)
	"image/jpeg"
	_ "image/png" // registers the PNG decoder
	"io"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers the WebP decoder
)

const (
	// MaxSide is the longest side of a thumbnail in pixels: twice the
	// largest size the pages show one at, for sharp high-density screens.
	MaxSide = 160
	// quality keeps a thumbnail near 4 KB; it is a preview, not the image.
	quality = 70
	// DefaultMaxPixels bounds the images that get a thumbnail: a decoded
	// image is held whole in memory (4 bytes a pixel at most), so larger
	// ones are shown with a placeholder instead.
	DefaultMaxPixels = 16_000_000
)

// Make decodes the image in r and returns its thumbnail as a JPEG. It does
// not read r to its end (a GIF's later frames are left unread).
func makeFull(r io.Reader) (thumb []byte, err error) {
	defer func() {
		if p := recover(); p != nil { // a decoder bug on hostile input is an error, not a crash
			err = fmt.Errorf("thumbnail: decoder panic: %v", p)
		}
	}()
	src, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("thumbnail: decode: %w", err)
	}
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy())
	if k := shrinkFactor(src.Bounds().Dx(), src.Bounds().Dy(), w, h); k > 1 {
		if small, ok := boxShrink(src, k); ok {
			src = small
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	// BiLinear widens its kernel when it shrinks, so a large image scales
	// down without the aliasing of nearest-neighbour sampling.
	draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("thumbnail: encode: %w", err)
	}
	return buf.Bytes(), nil
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
