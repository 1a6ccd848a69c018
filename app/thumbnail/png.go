package thumbnail

import (
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"

	"imageapp/app/thumbnail/jpegdc"
)

const pngHeader = "\x89PNG\r\n\x1a\n"

// The PNG colour types, from the specification's IHDR section.
const (
	ctGray      = 0
	ctRGB       = 2
	ctPalette   = 3
	ctGrayAlpha = 4
	ctRGBA      = 6
)

// pngDecoder streams a non-interlaced PNG into the box filter, one row at
// a time: the rows are inflated, unfiltered against the previous one and
// converted straight into the filter's sums, so nothing the size of the
// image is ever held. Chunk CRCs are not checked: a preview of a damaged
// file is harmless, and a truncated one still ends in an error.
type pngDecoder struct {
	r             io.Reader
	width, height int
	depth, ctype  int
	pal           [256][4]uint16 // premultiplied; missing entries are opaque black
	trns          [3]uint16      // the colour key of gray and RGB images
	hasTRNS       bool
	orientation   int    // from an eXIf chunk before the image data; 0 if none
	chunkLeft     uint32 // the IDAT data left in the current chunk
	idatDone      bool
	tmp           [8]byte
	buf           [3 * 256]byte // a PLTE or tRNS chunk
}

var errPNGFormat = errors.New("invalid PNG")

func pngErr(msg string) error { return fmt.Errorf("%w: %s", errPNGFormat, msg) }

// makePNG decodes a PNG row by row, or, when interlaced, whole.
func makePNG(ctx context.Context, br interface {
	io.Reader
	Peek(int) ([]byte, error)
}, budget *Budget) (small *image.RGBA, tw, th int, err error) {
	hdr, _ := br.Peek(8 + 8 + 13)
	if len(hdr) < 29 || string(hdr[12:16]) != "IHDR" {
		return nil, 0, 0, pngErr("missing IHDR")
	}
	w, h := int64(binary.BigEndian.Uint32(hdr[16:])), int64(binary.BigEndian.Uint32(hdr[20:]))
	if w <= 0 || h <= 0 || w >= 1<<31 || h >= 1<<31 {
		return nil, 0, 0, pngErr("bad dimensions")
	}
	if hdr[28] == 1 {
		return makeWholePNG(ctx, br, budget, int(w), int(h), int(hdr[24]))
	}
	d := &pngDecoder{r: br}
	for i := range d.pal {
		d.pal[i] = [4]uint16{0, 0, 0, 0xffff}
	}
	if err := d.readHeaders(); err != nil {
		return nil, 0, 0, err
	}
	// The rows are summed as stored; the small image is turned after. A
	// centre crop turned is the turned image's centre crop.
	crop, tw, th, k := plan(d.width, d.height)
	rowBytes := d.rowBytes()
	cost := overhead + 2*(rowBytes+1) + boxerCost(crop, k)
	if d.orientation > 1 {
		cost += turnCost(d.width, d.height)
	}
	release, err := budget.acquire(ctx, cost)
	if err != nil {
		return nil, 0, 0, err
	}
	defer release()
	b := newBoxer(crop, k)
	if err := d.decodeRows(b, int(rowBytes)); err != nil {
		return nil, 0, 0, err
	}
	tw, th = orientedSize(tw, th, d.orientation)
	return orient(b.out, d.orientation), tw, th, nil
}

// makeWholePNG decodes an interlaced PNG with image/png: its rows come in
// seven passes over the image, so they cannot be summed as they come
// without a row of sums for every row of blocks. Interlacing is rare in
// what people send; its cost is that of the decoded image, twice. The
// eXIf orientation is picked up as image/png reads past it.
func makeWholePNG(ctx context.Context, r io.Reader, budget *Budget, w, h, depth int) (*image.RGBA, int, int, error) {
	perPixel := int64(4)
	if depth == 16 {
		perPixel = 8
	}
	cost := overhead + 2*perPixel*area(w, h) + 4*perPixel*int64(w) + filterCost(w, h) + turnCost(w, h)
	release, err := budget.acquire(ctx, cost)
	if err != nil {
		return nil, 0, 0, err
	}
	defer release()
	ew := &exifWatcher{r: r, skip: int64(len(pngHeader))}
	m, err := png.Decode(ew)
	if err != nil {
		return nil, 0, 0, err
	}
	_, tw, th, _ := plan(w, h)
	tw, th = orientedSize(tw, th, ew.orientation)
	return orient(shrinkFull(m), ew.orientation), tw, th, nil
}

// turnCost is what turning the box-filtered w×h image upright allocates.
func turnCost(w, h int) int64 {
	crop, _, _, k := plan(w, h)
	return 4 * area((crop.Dx()+k-1)/k, (crop.Dy()+k-1)/k)
}

// exifWatcher passes a PNG through and notes the orientation of its first
// eXIf chunk before the image data, as readEXIf does for the row decoder.
type exifWatcher struct {
	r           io.Reader
	skip        int64 // bytes to pass before the next chunk header
	hdr         [8]byte
	hdrN        int
	exif        []byte // the eXIf payload being collected, when collecting
	collecting  bool
	done        bool // the image data has begun
	orientation int
}

func (w *exifWatcher) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	w.watch(p[:n])
	return n, err
}

func (w *exifWatcher) watch(b []byte) {
	for len(b) > 0 && !w.done {
		if w.skip > 0 {
			k := int(min(w.skip, int64(len(b))))
			if w.collecting {
				w.exif = append(w.exif, b[:k]...)
			}
			w.skip -= int64(k)
			b = b[k:]
			if w.skip == 0 && w.collecting {
				w.endEXIf()
			}
			continue
		}
		k := copy(w.hdr[w.hdrN:], b)
		w.hdrN += k
		b = b[k:]
		if w.hdrN < len(w.hdr) {
			return
		}
		w.hdrN = 0
		n, typ := int64(binary.BigEndian.Uint32(w.hdr[:4])), string(w.hdr[4:])
		switch {
		case typ == "IDAT" || typ == "IEND":
			w.done = true
		case typ == "eXIf" && w.orientation == 0 && n <= maxEXIf:
			w.collecting, w.exif, w.skip = true, make([]byte, 0, n), n
			if n == 0 {
				w.endEXIf()
			}
		default:
			w.skip = n + 4 // the payload and the CRC
		}
	}
}

// endEXIf reads the orientation from the collected eXIf, then skips its CRC.
func (w *exifWatcher) endEXIf() {
	w.orientation = max(1, jpegdc.ExifOrientation(w.exif))
	w.collecting, w.exif, w.skip = false, nil, 4
}

// rowBytes is the size of a row of samples, without its filter byte.
func (d *pngDecoder) rowBytes() int64 {
	return (int64(d.width)*int64(d.bitsPerPixel()) + 7) / 8
}

// chunk reads the next chunk's length and type.
func (d *pngDecoder) chunk() (n uint32, typ string, err error) {
	if _, err := io.ReadFull(d.r, d.tmp[:8]); err != nil {
		return 0, "", unexpected(err)
	}
	n = binary.BigEndian.Uint32(d.tmp[:4])
	if n > 1<<31-1 {
		return 0, "", pngErr("chunk too long")
	}
	return n, string(d.tmp[4:8]), nil
}

func (d *pngDecoder) skip(n int64) error {
	if _, err := io.CopyN(io.Discard, d.r, n); err != nil {
		return unexpected(err)
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readHeaders reads the signature and the chunks up to the first IDAT's
// data: IHDR, PLTE and tRNS, skipping the others.
func (d *pngDecoder) readHeaders() error {
	var sig [8]byte
	if _, err := io.ReadFull(d.r, sig[:]); err != nil {
		return unexpected(err)
	}
	if string(sig[:]) != pngHeader {
		return pngErr("not a PNG file")
	}
	seenIHDR, seenPLTE := false, false
	for {
		n, typ, err := d.chunk()
		if err != nil {
			return err
		}
		if !seenIHDR && typ != "IHDR" {
			return pngErr("missing IHDR")
		}
		switch typ {
		case "IHDR":
			if seenIHDR || n != 13 {
				return pngErr("bad IHDR")
			}
			seenIHDR = true
			var p [13]byte
			if _, err := io.ReadFull(d.r, p[:]); err != nil {
				return unexpected(err)
			}
			d.width, d.height = int(binary.BigEndian.Uint32(p[0:])), int(binary.BigEndian.Uint32(p[4:]))
			d.depth, d.ctype = int(p[8]), int(p[9])
			if d.width <= 0 || d.height <= 0 || d.width >= 1<<31 || d.height >= 1<<31 {
				return pngErr("bad dimensions")
			}
			if p[10] != 0 || p[11] != 0 || p[12] != 0 {
				return pngErr("unsupported compression, filter or interlace method")
			}
			if !validDepth(d.ctype, d.depth) {
				return pngErr("bad bit depth for the colour type")
			}
		case "PLTE":
			if n%3 != 0 || n/3 > 256 || n == 0 {
				return pngErr("bad PLTE")
			}
			seenPLTE = true
			p := d.buf[:n]
			if _, err := io.ReadFull(d.r, p); err != nil {
				return unexpected(err)
			}
			for i := range int(n / 3) {
				d.pal[i] = [4]uint16{uint16(p[3*i]) * 0x101, uint16(p[3*i+1]) * 0x101, uint16(p[3*i+2]) * 0x101, 0xffff}
			}
		case "tRNS":
			if err := d.readTRNS(n); err != nil {
				return err
			}
		case "eXIf":
			if err := d.readEXIf(n); err != nil {
				return err
			}
		case "IDAT":
			if d.ctype == ctPalette && !seenPLTE {
				return pngErr("missing PLTE")
			}
			d.chunkLeft = n
			return nil
		case "IEND":
			return pngErr("no IDAT")
		default:
			if err := d.skip(int64(n)); err != nil {
				return err
			}
		}
		if err := d.skip(4); err != nil { // the CRC
			return err
		}
	}
}

// maxEXIf bounds the eXIf chunk read for its orientation: a stored image's
// holds the orientation alone (package metastrip), some 30 bytes.
const maxEXIf = 4 << 10

// readEXIf reads the orientation from the first eXIf chunk, which Chromium
// and Safari apply to the image as a JPEG's EXIF orientation; a larger
// one than a stored image has is skipped.
func (d *pngDecoder) readEXIf(n uint32) error {
	if d.orientation != 0 || n > maxEXIf {
		return d.skip(int64(n))
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(d.r, p); err != nil {
		return unexpected(err)
	}
	d.orientation = max(1, jpegdc.ExifOrientation(p))
	return nil
}

func validDepth(ctype, depth int) bool {
	switch ctype {
	case ctGray:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16
	case ctPalette:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8
	case ctRGB, ctGrayAlpha, ctRGBA:
		return depth == 8 || depth == 16
	}
	return false
}

// readTRNS reads the transparency of palette entries (premultiplying
// them), or the colour key of a gray or RGB image.
func (d *pngDecoder) readTRNS(n uint32) error {
	if n > 256 {
		return pngErr("bad tRNS")
	}
	p := d.buf[:n]
	if _, err := io.ReadFull(d.r, p); err != nil {
		return unexpected(err)
	}
	switch d.ctype {
	case ctPalette:
		for i, a := range p {
			c := &d.pal[i]
			a16 := uint32(a) * 0x101
			c[0], c[1], c[2], c[3] = uint16(uint32(c[0])*a16/0xffff), uint16(uint32(c[1])*a16/0xffff), uint16(uint32(c[2])*a16/0xffff), uint16(a16)
		}
	case ctGray:
		if n != 2 {
			return pngErr("bad tRNS")
		}
		d.trns[0], d.hasTRNS = binary.BigEndian.Uint16(p), true
	case ctRGB:
		if n != 6 {
			return pngErr("bad tRNS")
		}
		for i := range 3 {
			d.trns[i] = binary.BigEndian.Uint16(p[2*i:])
		}
		d.hasTRNS = true
	}
	return nil
}

// Read gives the data of consecutive IDAT chunks as one stream.
func (d *pngDecoder) Read(p []byte) (int, error) {
	for d.chunkLeft == 0 {
		if d.idatDone {
			return 0, io.EOF
		}
		if err := d.skip(4); err != nil { // the CRC
			return 0, err
		}
		n, typ, err := d.chunk()
		if err != nil {
			return 0, err
		}
		if typ != "IDAT" {
			d.idatDone = true
			return 0, io.EOF
		}
		d.chunkLeft = n
	}
	if uint32(len(p)) > d.chunkLeft {
		p = p[:d.chunkLeft]
	}
	n, err := d.r.Read(p)
	d.chunkLeft -= uint32(n)
	if n > 0 {
		return n, nil
	}
	return 0, unexpected(err)
}

// decodeRows inflates, unfilters and converts the rows into b, stopping
// after the last row the crop holds.
func (d *pngDecoder) decodeRows(b *boxer, rowBytes int) error {
	zr, err := zlib.NewReader(d)
	if err != nil {
		return unexpected(err)
	}
	defer zr.Close()
	bpp := max(1, d.bitsPerPixel()/8) // the filters' pixel distance, in bytes
	cr, pr := make([]byte, rowBytes+1), make([]byte, rowBytes+1)
	for y := 0; y < b.crop.Max.Y; y++ {
		if _, err := io.ReadFull(zr, cr); err != nil {
			return unexpected(err)
		}
		if err := unfilter(cr[0], cr[1:], pr[1:], bpp); err != nil {
			return err
		}
		if b.wants(y) {
			d.convert(b.row, cr[1:], b.crop.Min.X, b.crop.Max.X)
			b.add(y)
		}
		cr, pr = pr, cr
	}
	return nil
}

func (d *pngDecoder) bitsPerPixel() int {
	channels := 1 // gray, palette
	switch d.ctype {
	case ctRGB:
		channels = 3
	case ctGrayAlpha:
		channels = 2
	case ctRGBA:
		channels = 4
	}
	return channels * d.depth
}

// unfilter undoes a row's filter in place, from the specification's
// "Filter algorithms" section; prev is the previous row, unfiltered, or
// zeros for the first.
func unfilter(ft byte, cur, prev []byte, bpp int) error {
	switch ft {
	case 0: // None
	case 1: // Sub
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	case 2: // Up
		for i, p := range prev {
			cur[i] += p
		}
	case 3: // Average
		for i := range cur {
			var left int
			if i >= bpp {
				left = int(cur[i-bpp])
			}
			cur[i] += byte((left + int(prev[i])) / 2)
		}
	case 4: // Paeth
		for i := range cur {
			var a, c int
			if i >= bpp {
				a, c = int(cur[i-bpp]), int(prev[i-bpp])
			}
			cur[i] += paeth(a, int(prev[i]), c)
		}
	default:
		return pngErr("bad filter type")
	}
	return nil
}

// paeth is the predictor of the specification's Paeth filter.
func paeth(a, b, c int) byte {
	p := a + b - c
	pa, pb, pc := abs(p-a), abs(p-b), abs(p-c)
	if pa <= pb && pa <= pc {
		return byte(a)
	}
	if pb <= pc {
		return byte(b)
	}
	return byte(c)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// convert turns the samples of pixels x0 to x1 of a row into premultiplied
// 16-bit RGBA.
func (d *pngDecoder) convert(dst []uint16, row []byte, x0, x1 int) {
	// The common layouts without tRNS get loops of their own: the
	// general one below decides the layout for every pixel.
	switch {
	case d.ctype == ctRGB && d.depth == 8 && !d.hasTRNS:
		src := row[3*x0 : 3*x1]
		for i, o := 0, 0; i+2 < len(src); i, o = i+3, o+4 {
			dst[o], dst[o+1], dst[o+2], dst[o+3] = uint16(src[i])*0x101, uint16(src[i+1])*0x101, uint16(src[i+2])*0x101, 0xffff
		}
		return
	case d.ctype == ctRGBA && d.depth == 8:
		nrgbaRow(dst, row[4*x0:4*x1])
		return
	case d.ctype == ctRGBA && d.depth == 16:
		src := row[8*x0 : 8*x1]
		for i, o := 0, 0; i+7 < len(src); i, o = i+8, o+4 {
			a := uint32(src[i+6])<<8 | uint32(src[i+7])
			dst[o] = uint16((uint32(src[i])<<8 | uint32(src[i+1])) * a / 0xffff)
			dst[o+1] = uint16((uint32(src[i+2])<<8 | uint32(src[i+3])) * a / 0xffff)
			dst[o+2] = uint16((uint32(src[i+4])<<8 | uint32(src[i+5])) * a / 0xffff)
			dst[o+3] = uint16(a)
		}
		return
	case d.ctype == ctGray && d.depth == 8 && !d.hasTRNS:
		for i, o := x0, 0; i < x1; i, o = i+1, o+4 {
			v := uint16(row[i]) * 0x101
			dst[o], dst[o+1], dst[o+2], dst[o+3] = v, v, v, 0xffff
		}
		return
	}
	s16 := func(i int) uint16 { return uint16(row[2*i])<<8 | uint16(row[2*i+1]) }
	for x, o := x0, 0; x < x1; x, o = x+1, o+4 {
		var r, g, b, a uint16
		switch d.ctype {
		case ctGray:
			var v, raw uint16
			if d.depth == 16 {
				raw = s16(x)
				v = raw
			} else {
				raw = uint16(d.sample(row, x))
				v = raw * (0xffff / (1<<d.depth - 1))
			}
			r, g, b, a = v, v, v, 0xffff
			if d.hasTRNS && raw == d.trns[0] {
				r, g, b, a = 0, 0, 0, 0
			}
		case ctPalette:
			c := d.pal[d.sample(row, x)]
			r, g, b, a = c[0], c[1], c[2], c[3]
		case ctRGB:
			var raw [3]uint16
			for c := range 3 {
				if d.depth == 16 {
					raw[c] = s16(3*x + c)
				} else {
					raw[c] = uint16(row[3*x+c])
				}
			}
			if d.depth == 16 {
				r, g, b = raw[0], raw[1], raw[2]
			} else {
				r, g, b = raw[0]*0x101, raw[1]*0x101, raw[2]*0x101
			}
			a = 0xffff
			if d.hasTRNS && raw == d.trns {
				r, g, b, a = 0, 0, 0, 0
			}
		case ctGrayAlpha:
			if d.depth == 16 {
				r, a = s16(2*x), s16(2*x+1)
			} else {
				r, a = uint16(row[2*x])*0x101, uint16(row[2*x+1])*0x101
			}
			r = uint16(uint32(r) * uint32(a) / 0xffff)
			g, b = r, r
		case ctRGBA:
			if d.depth == 16 {
				r, g, b, a = s16(4*x), s16(4*x+1), s16(4*x+2), s16(4*x+3)
			} else {
				r, g, b, a = uint16(row[4*x])*0x101, uint16(row[4*x+1])*0x101, uint16(row[4*x+2])*0x101, uint16(row[4*x+3])*0x101
			}
			r = uint16(uint32(r) * uint32(a) / 0xffff)
			g = uint16(uint32(g) * uint32(a) / 0xffff)
			b = uint16(uint32(b) * uint32(a) / 0xffff)
		}
		dst[o], dst[o+1], dst[o+2], dst[o+3] = r, g, b, a
	}
}

// sample is pixel x of a row of 1-channel samples of depth 8 or less.
func (d *pngDecoder) sample(row []byte, x int) byte {
	if d.depth == 8 {
		return row[x]
	}
	perByte := 8 / d.depth
	shift := uint(8 - d.depth - (x%perByte)*d.depth)
	return row[x/perByte] >> shift & (1<<d.depth - 1)
}
