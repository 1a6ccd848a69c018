package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
)

// The realistic inputs, made at startup from fixed seeds (so every run
// sends the same bytes, and none are committed). The noise PNGs of the send
// and view phases are the worst case for a PNG decoder; these are what
// people send: a phone photo, a phone screenshot, and a decompression bomb
// that anyone can.

// photoJPEG is a photo-like w×h JPEG at quality 85: smooth gradients (sky,
// ground) with mild sensor noise and a few hard-edged shapes, so that it
// compresses like a photo (≈ 2–4 MB at 12 MP) rather than like noise or a
// flat fill. It is built as 4:2:0 YCbCr, as cameras write it, which is also
// image/jpeg's fast path.
func photoJPEG(w, h int, seed uint64) []byte {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(seed, seed^0x5deece66d))
	horizon := h * 2 / 5
	wave := make([]float64, w) // one sine per column, not per pixel
	for x := range wave {
		wave[x] = 10 * math.Sin(float64(x)/300)
	}
	for y := 0; y < h; y++ {
		row := img.Y[y*img.YStride : y*img.YStride+w]
		var base float64
		mask, mid := uint64(15), 7.5 // mild sensor noise in the sky, ±8
		if y >= horizon {
			mask, mid = 63, 31.5 // grass and gravel: texture, ±32
		}
		if y < horizon { // sky brightens towards the horizon, ground darkens away from it
			base = 150 + 80*float64(y)/float64(horizon)
		} else {
			base = 120 - 60*float64(y-horizon)/float64(h-horizon)
		}
		var bits uint64
		for x := range row {
			if x%8 == 0 {
				bits = rng.Uint64()
			}
			noise := float64(bits>>(8*(x%8))&mask) - mid
			row[x] = uint8(min(max(base+wave[x]+noise, 0), 255))
		}
	}
	// Hard edges: flat discs and bars over the gradient, with their own noise.
	for range 24 {
		cx, cy, r := rng.IntN(w), rng.IntN(h), 40+rng.IntN(h/6)
		tone := 30 + rng.IntN(200)
		for y := max(cy-r, 0); y < min(cy+r, h); y++ {
			half := int(math.Sqrt(float64(r*r - (y-cy)*(y-cy))))
			for x := max(cx-half, 0); x < min(cx+half, w); x++ {
				img.Y[y*img.YStride+x] = uint8(tone + rng.IntN(7))
			}
		}
	}
	for y := 0; y < (h+1)/2; y++ {
		for x := 0; x < (w+1)/2; x++ {
			i := y*img.CStride + x
			if 2*y < horizon {
				img.Cb[i], img.Cr[i] = 160, 110 // blue sky
			} else {
				img.Cb[i], img.Cr[i] = uint8(100+x*40/w), uint8(140-y*40/h) // greenish-brown ground
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err) // encoding an in-memory image into a buffer cannot fail
	}
	return buf.Bytes()
}

// screenshotPNG is a phone-screenshot-like w×h PNG: flat colours, a status
// bar and a header, lines of text-like glyphs (small dark strokes with hard
// edges) in chat bubbles. It compresses well, as screenshots do, but it is
// as many pixels to decode as its size says.
func screenshotPNG(w, h int, seed uint64) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	fill := func(r image.Rectangle, c color.NRGBA) {
		r = r.Intersect(img.Rect)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.SetNRGBA(x, y, c)
			}
		}
	}
	fill(img.Rect, color.NRGBA{250, 250, 250, 255})
	fill(image.Rect(0, 0, w, h/20), color.NRGBA{30, 30, 30, 255})      // status bar
	fill(image.Rect(0, h/20, w, h/9), color.NRGBA{0, 122, 255, 255})   // header
	fill(image.Rect(0, h-h/12, w, h), color.NRGBA{235, 235, 240, 255}) // input bar
	glyphH := max(h/90, 4)
	for y := h / 8; y < h-h/10; {
		lines := 1 + rng.IntN(4)
		mine := rng.IntN(2) == 0
		bw := w/3 + rng.IntN(w/2)
		bx := w / 24
		bg, fg := color.NRGBA{229, 229, 234, 255}, color.NRGBA{20, 20, 20, 255}
		if mine {
			bx = w - bw - w/24
			bg, fg = color.NRGBA{0, 122, 255, 255}, color.NRGBA{255, 255, 255, 255}
		}
		bh := lines*glyphH*2 + glyphH
		if rng.IntN(5) == 0 { // now and then a shared picture: a noisy gradient, as photos are
			ph := w / 3
			for py := y; py < min(y+ph, h); py++ {
				for px := bx; px < bx+bw; px++ {
					v := uint8(60 + (py-y)*120/ph + rng.IntN(24))
					img.SetNRGBA(px, py, color.NRGBA{v, v / 2, 255 - v, 255})
				}
			}
			y += ph + glyphH
			continue
		}
		fill(image.Rect(bx, y, bx+bw, y+bh), bg)
		for l := range lines { // words of glyphs: thin strokes with gaps
			gy := y + glyphH/2 + l*glyphH*2
			for x := bx + glyphH; x < bx+bw-2*glyphH; {
				word := 2 + rng.IntN(8)
				for range word {
					gw := glyphH/3 + rng.IntN(glyphH/2+1)
					fill(image.Rect(x, gy+rng.IntN(glyphH/3+1), x+gw, gy+glyphH), fg)
					x += gw + max(glyphH/6, 1)
				}
				x += glyphH
			}
		}
		y += bh + glyphH
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// bombPNG is a decompression bomb: a w×h 16-bit RGB PNG of one flat
// colour, a tiny file (deflate takes identical rows to almost nothing) that
// a full decode turns into an *image.RGBA64 of 8·w·h bytes (128 MB at
// 4000×4000). It is written chunk by chunk rather than by image/png, which
// would need those 128 MB of pixels in memory first; image/png decodes it
// into that *image.RGBA64 of the flat colour.
func bombPNG(w, h int) []byte {
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	row := make([]byte, 1+6*w) // filter byte 0 (none), then w 16-bit RGB pixels
	for x := 0; x < w; x++ {
		copy(row[1+6*x:], []byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc})
	}
	for range h {
		zw.Write(row)
	}
	zw.Close()
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(w)), uint32(h))
	ihdr = append(ihdr, 16, 2, 0, 0, 0) // 16-bit, truecolour, deflate, no filter method, not interlaced
	out := []byte("\x89PNG\r\n\x1a\n")
	for _, c := range []struct {
		typ  string
		data []byte
	}{{"IHDR", ihdr}, {"IDAT", idat.Bytes()}, {"IEND", nil}} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(c.data)))
		body := append([]byte(c.typ), c.data...)
		out = append(out, body...)
		out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(body))
	}
	return out
}
