package thumbnail

import (
	"bytes"
	"context"
	"image"
	"image/gif"
	"io"

	"golang.org/x/image/webp"
)

// GIF and WebP are decoded whole: a GIF is a byte a pixel and rarely
// large, and a WebP is at most 16383 pixels a side, so both fit a
// budget that a photo's full decode would not; streaming their
// decoders is not worth forking them.

// makeGIF decodes a GIF's first frame. The frame must lie within the
// logical screen (image/gif checks), so the screen bounds its size.
func makeGIF(ctx context.Context, br interface {
	io.Reader
	Peek(int) ([]byte, error)
}, budget *Budget) (*image.RGBA, int, int, error) {
	hdr, _ := br.Peek(10)
	if len(hdr) < 10 {
		return nil, 0, 0, io.ErrUnexpectedEOF
	}
	w, h := int(hdr[6])|int(hdr[7])<<8, int(hdr[8])|int(hdr[9])<<8
	cost := overhead + 2*area(w, h) + filterCost(w, h)
	release, err := budget.acquire(ctx, cost)
	if err != nil {
		return nil, 0, 0, err
	}
	defer release()
	m, err := gif.Decode(br)
	if err != nil {
		return nil, 0, 0, err
	}
	_, tw, th, _ := plan(m.Bounds().Dx(), m.Bounds().Dy())
	return shrinkFull(m), tw, th, nil
}

// makeWebP decodes a WebP image. Lossy images decode to YCbCr (1.5 bytes
// a pixel of whole macroblocks) plus an alpha plane, whose lossless
// coding, like a lossless image, holds 4-byte pixels, transformed into
// fresh copies, then converted to NRGBA: 16 bytes a pixel bounds them all.
func makeWebP(ctx context.Context, br interface {
	io.Reader
	Peek(int) ([]byte, error)
}, budget *Budget) (*image.RGBA, int, int, error) {
	hdr, _ := br.Peek(64)
	cfg, err := webp.DecodeConfig(bytes.NewReader(hdr))
	if err != nil {
		return nil, 0, 0, err
	}
	pw, ph := int64((cfg.Width+15)/16*16), int64((cfg.Height+15)/16*16)
	cost := overhead + 16*pw*ph + filterCost(cfg.Width, cfg.Height)
	release, err := budget.acquire(ctx, cost)
	if err != nil {
		return nil, 0, 0, err
	}
	defer release()
	m, err := webp.Decode(br)
	if err != nil {
		return nil, 0, 0, err
	}
	_, tw, th, _ := plan(m.Bounds().Dx(), m.Bounds().Dy())
	return shrinkFull(m), tw, th, nil
}
