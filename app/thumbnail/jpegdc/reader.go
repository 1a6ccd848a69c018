// Copyright 2009 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// This file is forked from Go 1.26.8's src/image/jpeg/reader.go. The byte
// and marker handling is unchanged; the decoder keeps one DC coefficient a
// block instead of an image, reads the EXIF orientation, and reports the
// frame's cost through Config before it allocates anything that grows with
// the image.

// Package jpegdc decodes a JPEG image at 1/8 scale: one pixel for each 8×8
// block, from the block's DC coefficient alone. That pixel is the block's
// average colour, so the result is the image box-filtered by 8, without an
// inverse DCT and without the memory of a full decode: two bytes a block and
// component while decoding, four bytes an output pixel for the result.
//
// Baseline scans are still Huffman-decoded in full (the AC coefficients are
// read and dropped, as the bit stream gives no other way past them);
// progressive AC scans are skipped unread.
//
// JPEG is defined in ITU-T T.81: https://www.w3.org/Graphics/JPEG/itu-t81.pdf.
package jpegdc

import (
	"image"
	"image/color"
	"io"
)

// A FormatError reports that the input is not a valid JPEG.
type FormatError string

func (e FormatError) Error() string { return "invalid JPEG format: " + string(e) }

// An UnsupportedError reports that the input uses a valid but unimplemented JPEG feature.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "unsupported JPEG feature: " + string(e) }

var errUnsupportedSubsamplingRatio = UnsupportedError("luma/chroma subsampling ratio")

// Component specification, specified in section B.2.2.
type component struct {
	h  int   // Horizontal sampling factor.
	v  int   // Vertical sampling factor.
	c  uint8 // Component identifier.
	tq uint8 // Quantization table destination selector.
}

const (
	blockSize = 64 // A DCT block is 8x8.

	dcTable = 0
	acTable = 1
	maxTc   = 1
	maxTh   = 3
	maxTq   = 3

	maxComponents = 4

	// maxExif bounds the APP1 segments read for the orientation, which is
	// in the first entries of IFD0; larger ones are skipped.
	maxExif = 4096
)

// block is a quantization table, in zig-zag order.
type block [blockSize]int32

const (
	sof0Marker = 0xc0 // Start Of Frame (Baseline Sequential).
	sof1Marker = 0xc1 // Start Of Frame (Extended Sequential).
	sof2Marker = 0xc2 // Start Of Frame (Progressive).
	dhtMarker  = 0xc4 // Define Huffman Table.
	rst0Marker = 0xd0 // ReSTart (0).
	rst7Marker = 0xd7 // ReSTart (7).
	soiMarker  = 0xd8 // Start Of Image.
	eoiMarker  = 0xd9 // End Of Image.
	sosMarker  = 0xda // Start Of Scan.
	dqtMarker  = 0xdb // Define Quantization Table.
	driMarker  = 0xdd // Define Restart Interval.
	comMarker  = 0xfe // COMment.
	// "APPlication specific" markers aren't part of the JPEG spec per se,
	// but in practice, their use is described at
	// https://www.sno.phy.queensu.ca/~phil/exiftool/TagNames/JPEG.html
	app0Marker  = 0xe0
	app1Marker  = 0xe1
	app14Marker = 0xee
	app15Marker = 0xef
)

// See https://www.sno.phy.queensu.ca/~phil/exiftool/TagNames/JPEG.html#Adobe
const (
	adobeTransformUnknown = 0
	adobeTransformYCbCr   = 1
	adobeTransformYCbCrK  = 2
)

// bits holds the unprocessed bits that have been taken from the byte-stream.
// The n least significant bits of a form the unread bits, to be read in MSB to
// LSB order.
type bits struct {
	a uint32 // accumulator.
	m uint32 // mask. m==1<<(n-1) when n>0, with m==0 when n==0.
	n int32  // the number of unread bits in a.
}

type decoder struct {
	r    io.Reader
	bits bits
	// bytes is a byte buffer, similar to a bufio.Reader, except that it
	// has to be able to unread more than 1 byte, due to byte stuffing.
	// Byte stuffing is specified in section F.1.2.3.
	bytes struct {
		// buf[i:j] are the buffered bytes read from the underlying
		// io.Reader that haven't yet been passed further on.
		buf  [4096]byte
		i, j int
		// nUnreadable is the number of bytes to back up i after
		// overshooting. It can be 0, 1 or 2.
		nUnreadable int
	}
	width, height int

	// dc holds each component's DC coefficients (quantized, as coded), one
	// a block, in rows of mxx*h blocks. Nil until the first scan.
	dc       [maxComponents][]int16
	mxx, myy int // The number of MCUs across and down.
	// quarter holds each component's quarter-scale samples at Quarter: two
	// by two a block, in rows of 2*mxx*h samples.
	quarter [maxComponents][]uint8

	// check sees the Config before the first scan allocates dc, and
	// chooses the scale.
	check   func(Config) (Scale, error)
	checked bool
	scale   Scale

	orientation int            // EXIF Orientation, 1 when absent.
	exif        *[maxExif]byte // The APP1 segment being read.

	ri    int // Restart Interval.
	nComp int

	// As per section 4.5, there are four modes of operation (selected by the
	// SOF? markers): sequential DCT, progressive DCT, lossless and
	// hierarchical, although this implementation does not support the latter
	// two non-DCT modes. Sequential DCT is further split into baseline and
	// extended, as per section 4.11.
	baseline    bool
	progressive bool

	jfif                bool
	adobeTransformValid bool
	adobeTransform      uint8
	eobRun              uint16 // End-of-Band run, specified in section G.1.2.2.

	comp  [maxComponents]component
	huff  [maxTc + 1][maxTh + 1]huffman
	quant [maxTq + 1]block // Quantization tables, in zig-zag order.
	tmp   [2 * blockSize]byte
}

// fill fills up the d.bytes.buf buffer from the underlying io.Reader. It
// should only be called when there are no unread bytes in d.bytes.
func (d *decoder) fill() error {
	if d.bytes.i != d.bytes.j {
		panic("jpeg: fill called when unread bytes exist")
	}
	// Move the last 2 bytes to the start of the buffer, in case we need
	// to call unreadByteStuffedByte.
	if d.bytes.j > 2 {
		d.bytes.buf[0] = d.bytes.buf[d.bytes.j-2]
		d.bytes.buf[1] = d.bytes.buf[d.bytes.j-1]
		d.bytes.i, d.bytes.j = 2, 2
	}
	// Fill in the rest of the buffer.
	n, err := d.r.Read(d.bytes.buf[d.bytes.j:])
	d.bytes.j += n
	if n > 0 {
		return nil
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// unreadByteStuffedByte undoes the most recent readByteStuffedByte call,
// giving a byte of data back from d.bits to d.bytes. The Huffman look-up table
// requires at least 8 bits for look-up, which means that Huffman decoding can
// sometimes overshoot and read one or two too many bytes. Two-byte overshoot
// can happen when expecting to read a 0xff 0x00 byte-stuffed byte.
func (d *decoder) unreadByteStuffedByte() {
	d.bytes.i -= d.bytes.nUnreadable
	d.bytes.nUnreadable = 0
	if d.bits.n >= 8 {
		d.bits.a >>= 8
		d.bits.n -= 8
		d.bits.m >>= 8
	}
}

// readByte returns the next byte, whether buffered or not buffered. It does
// not care about byte stuffing.
func (d *decoder) readByte() (x byte, err error) {
	for d.bytes.i == d.bytes.j {
		if err = d.fill(); err != nil {
			return 0, err
		}
	}
	x = d.bytes.buf[d.bytes.i]
	d.bytes.i++
	d.bytes.nUnreadable = 0
	return x, nil
}

// errMissingFF00 means that readByteStuffedByte encountered an 0xff byte (a
// marker byte) that wasn't the expected byte-stuffed sequence 0xff, 0x00.
var errMissingFF00 = FormatError("missing 0xff00 sequence")

// readByteStuffedByte is like readByte but is for byte-stuffed Huffman data.
func (d *decoder) readByteStuffedByte() (x byte, err error) {
	// Take the fast path if d.bytes.buf contains at least two bytes.
	if d.bytes.i+2 <= d.bytes.j {
		x = d.bytes.buf[d.bytes.i]
		d.bytes.i++
		d.bytes.nUnreadable = 1
		if x != 0xff {
			return x, err
		}
		if d.bytes.buf[d.bytes.i] != 0x00 {
			return 0, errMissingFF00
		}
		d.bytes.i++
		d.bytes.nUnreadable = 2
		return 0xff, nil
	}

	d.bytes.nUnreadable = 0

	x, err = d.readByte()
	if err != nil {
		return 0, err
	}
	d.bytes.nUnreadable = 1
	if x != 0xff {
		return x, nil
	}

	x, err = d.readByte()
	if err != nil {
		return 0, err
	}
	d.bytes.nUnreadable = 2
	if x != 0x00 {
		return 0, errMissingFF00
	}
	return 0xff, nil
}

// readFull reads exactly len(p) bytes into p. It does not care about byte
// stuffing.
func (d *decoder) readFull(p []byte) error {
	// Unread the overshot bytes, if any.
	if d.bytes.nUnreadable != 0 {
		if d.bits.n >= 8 {
			d.unreadByteStuffedByte()
		}
		d.bytes.nUnreadable = 0
	}

	for {
		n := copy(p, d.bytes.buf[d.bytes.i:d.bytes.j])
		p = p[n:]
		d.bytes.i += n
		if len(p) == 0 {
			break
		}
		if err := d.fill(); err != nil {
			return err
		}
	}
	return nil
}

// ignore ignores the next n bytes.
func (d *decoder) ignore(n int) error {
	// Unread the overshot bytes, if any.
	if d.bytes.nUnreadable != 0 {
		if d.bits.n >= 8 {
			d.unreadByteStuffedByte()
		}
		d.bytes.nUnreadable = 0
	}

	for {
		m := d.bytes.j - d.bytes.i
		if m > n {
			m = n
		}
		d.bytes.i += m
		n -= m
		if n == 0 {
			break
		}
		if err := d.fill(); err != nil {
			return err
		}
	}
	return nil
}

// Specified in section B.2.2.
func (d *decoder) processSOF(n int) error {
	if d.nComp != 0 {
		return FormatError("multiple SOF markers")
	}
	switch n {
	case 6 + 3*1: // Grayscale image.
		d.nComp = 1
	case 6 + 3*3: // YCbCr or RGB image.
		d.nComp = 3
	case 6 + 3*4: // YCbCrK or CMYK image.
		d.nComp = 4
	default:
		return UnsupportedError("number of components")
	}
	if err := d.readFull(d.tmp[:n]); err != nil {
		return err
	}
	// We only support 8-bit precision.
	if d.tmp[0] != 8 {
		return UnsupportedError("precision")
	}
	d.height = int(d.tmp[1])<<8 + int(d.tmp[2])
	d.width = int(d.tmp[3])<<8 + int(d.tmp[4])
	if int(d.tmp[5]) != d.nComp {
		return FormatError("SOF has wrong length")
	}

	for i := 0; i < d.nComp; i++ {
		d.comp[i].c = d.tmp[6+3*i]
		// Section B.2.2 states that "the value of C_i shall be different from
		// the values of C_1 through C_(i-1)".
		for j := 0; j < i; j++ {
			if d.comp[i].c == d.comp[j].c {
				return FormatError("repeated component identifier")
			}
		}

		d.comp[i].tq = d.tmp[8+3*i]
		if d.comp[i].tq > maxTq {
			return FormatError("bad Tq value")
		}

		hv := d.tmp[7+3*i]
		h, v := int(hv>>4), int(hv&0x0f)
		if h < 1 || 4 < h || v < 1 || 4 < v {
			return FormatError("luma/chroma subsampling ratio")
		}
		if h == 3 || v == 3 {
			return errUnsupportedSubsamplingRatio
		}
		switch d.nComp {
		case 1:
			// If a JPEG image has only one component, section A.2 says "this data
			// is non-interleaved by definition" and section A.2.2 says "[in this
			// case...] the order of data units within a scan shall be left-to-right
			// and top-to-bottom... regardless of the values of H_1 and V_1". Section
			// 4.8.2 also says "[for non-interleaved data], the MCU is defined to be
			// one data unit". Similarly, section A.1.1 explains that it is the ratio
			// of H_i to max_j(H_j) that matters, and similarly for V. For grayscale
			// images, H_1 is the maximum H_j for all components j, so that ratio is
			// always 1. The component's (h, v) is effectively always (1, 1): even if
			// the nominal (h, v) is (2, 1), a 20x5 image is encoded in three 8x8
			// MCUs, not two 16x8 MCUs.
			h, v = 1, 1

		case 3:
			// For YCbCr images, we only support 4:4:4, 4:4:0, 4:2:2, 4:2:0,
			// 4:1:1 or 4:1:0 chroma subsampling ratios. This implies that the
			// (h, v) values for the Y component are either (1, 1), (1, 2),
			// (2, 1), (2, 2), (4, 1) or (4, 2), and the Y component's values
			// must be a multiple of the Cb and Cr component's values. We also
			// assume that the two chroma components have the same subsampling
			// ratio.
			switch i {
			case 0: // Y.
				// We have already verified, above, that h and v are both
				// either 1, 2 or 4, so invalid (h, v) combinations are those
				// with v == 4.
				if v == 4 {
					return errUnsupportedSubsamplingRatio
				}
			case 1: // Cb.
				if d.comp[0].h%h != 0 || d.comp[0].v%v != 0 {
					return errUnsupportedSubsamplingRatio
				}
			case 2: // Cr.
				if d.comp[1].h != h || d.comp[1].v != v {
					return errUnsupportedSubsamplingRatio
				}
			}

		case 4:
			// For 4-component images (either CMYK or YCbCrK), we only support two
			// hv vectors: [0x11 0x11 0x11 0x11] and [0x22 0x11 0x11 0x22].
			// Theoretically, 4-component JPEG images could mix and match hv values
			// but in practice, those two combinations are the only ones in use,
			// and it simplifies the applyBlack code below if we can assume that:
			//	- for CMYK, the C and K channels have full samples, and if the M
			//	  and Y channels subsample, they subsample both horizontally and
			//	  vertically.
			//	- for YCbCrK, the Y and K channels have full samples.
			switch i {
			case 0:
				if hv != 0x11 && hv != 0x22 {
					return errUnsupportedSubsamplingRatio
				}
			case 1, 2:
				if hv != 0x11 {
					return errUnsupportedSubsamplingRatio
				}
			case 3:
				if d.comp[0].h != h || d.comp[0].v != v {
					return errUnsupportedSubsamplingRatio
				}
			}
		}

		d.comp[i].h = h
		d.comp[i].v = v
	}
	return nil
}

// Specified in section B.2.4.1.
func (d *decoder) processDQT(n int) error {
loop:
	for n > 0 {
		n--
		x, err := d.readByte()
		if err != nil {
			return err
		}
		tq := x & 0x0f
		if tq > maxTq {
			return FormatError("bad Tq value")
		}
		switch x >> 4 {
		default:
			return FormatError("bad Pq value")
		case 0:
			if n < blockSize {
				break loop
			}
			n -= blockSize
			if err := d.readFull(d.tmp[:blockSize]); err != nil {
				return err
			}
			for i := range d.quant[tq] {
				d.quant[tq][i] = int32(d.tmp[i])
			}
		case 1:
			if n < 2*blockSize {
				break loop
			}
			n -= 2 * blockSize
			if err := d.readFull(d.tmp[:2*blockSize]); err != nil {
				return err
			}
			for i := range d.quant[tq] {
				d.quant[tq][i] = int32(d.tmp[2*i])<<8 | int32(d.tmp[2*i+1])
			}
		}
	}
	if n != 0 {
		return FormatError("DQT has wrong length")
	}
	return nil
}

// Specified in section B.2.4.4.
func (d *decoder) processDRI(n int) error {
	if n != 2 {
		return FormatError("DRI has wrong length")
	}
	if err := d.readFull(d.tmp[:2]); err != nil {
		return err
	}
	d.ri = int(d.tmp[0])<<8 + int(d.tmp[1])
	return nil
}

func (d *decoder) processApp0Marker(n int) error {
	if n < 5 {
		return d.ignore(n)
	}
	if err := d.readFull(d.tmp[:5]); err != nil {
		return err
	}
	n -= 5

	d.jfif = d.tmp[0] == 'J' && d.tmp[1] == 'F' && d.tmp[2] == 'I' && d.tmp[3] == 'F' && d.tmp[4] == '\x00'

	if n > 0 {
		return d.ignore(n)
	}
	return nil
}

func (d *decoder) processApp14Marker(n int) error {
	if n < 12 {
		return d.ignore(n)
	}
	if err := d.readFull(d.tmp[:12]); err != nil {
		return err
	}
	n -= 12

	if d.tmp[0] == 'A' && d.tmp[1] == 'd' && d.tmp[2] == 'o' && d.tmp[3] == 'b' && d.tmp[4] == 'e' {
		d.adobeTransformValid = true
		d.adobeTransform = d.tmp[11]
	}

	if n > 0 {
		return d.ignore(n)
	}
	return nil
}

// Config is what the frame header and the segments before the first scan
// say about an image, with what decoding it will cost.
type Config struct {
	Width, Height int // The image's size in pixels, before orientation.
	Components    int // 1 (gray), 3 (YCbCr or RGB) or 4 (CMYK or YCbCrK).
	Progressive   bool
	// Orientation is the EXIF Orientation tag (1 to 8), 1 when the image
	// has none or it is out of range.
	Orientation int
	// Cost is an upper bound of the bytes Decode allocates after the check
	// returns Eighth: the DC planes (two bytes a block and component, the
	// blocks of whole MCUs) and the result (four bytes a pixel of it). The
	// decoder's own fixed state, about 20 KiB, is not included.
	Cost int64
	// QuarterCost is the same bound when the check returns Quarter: the DC
	// planes, four bytes more a block and component, and the result at 1/4.
	// It is 0 for a progressive JPEG, which has no quarter scale.
	QuarterCost int64
}

// Decode reads a JPEG image from r and returns its DC image: the image
// scaled by 1/8 (rounding up), one opaque pixel for each 8×8 block of the
// full image, unrotated; or at 1/4, four pixels a block, when check chooses
// Quarter. check, if not nil, is called once, with the frame header read
// but before any coefficient memory is allocated; an error from it ends the
// decode and is returned as is.
func Decode(r io.Reader, check func(Config) (Scale, error)) (*image.RGBA, error) {
	d := &decoder{check: check, orientation: 1}
	return d.decode(r)
}

// decode reads a JPEG image from r. It is the standard library's decode
// loop, with APP1 (EXIF) read for the orientation.
func (d *decoder) decode(r io.Reader) (*image.RGBA, error) {
	d.r = r

	// Check for the Start Of Image marker.
	if err := d.readFull(d.tmp[:2]); err != nil {
		return nil, err
	}
	if d.tmp[0] != 0xff || d.tmp[1] != soiMarker {
		return nil, FormatError("missing SOI marker")
	}

	// Process the remaining segments until the End Of Image marker.
	for {
		err := d.readFull(d.tmp[:2])
		if err != nil {
			return nil, err
		}
		for d.tmp[0] != 0xff {
			// Extraneous data is silently ignored, as libjpeg and the
			// standard library do. This is also how a progressive AC scan,
			// whose header processSOS reads and whose data it leaves, is
			// skipped: its entropy-coded bytes hold no marker but RSTn.
			d.tmp[0] = d.tmp[1]
			d.tmp[1], err = d.readByte()
			if err != nil {
				return nil, err
			}
		}
		marker := d.tmp[1]
		if marker == 0 {
			// Treat "\xff\x00" as extraneous data.
			continue
		}
		for marker == 0xff {
			// Section B.1.1.2 says, "Any marker may optionally be preceded by any
			// number of fill bytes, which are bytes assigned code X'FF'".
			marker, err = d.readByte()
			if err != nil {
				return nil, err
			}
		}
		if marker == eoiMarker { // End Of Image.
			break
		}
		if rst0Marker <= marker && marker <= rst7Marker {
			// A restart marker outside a scan (after the final ECS, or
			// within a skipped AC scan) has no length and is ignored.
			continue
		}

		// Read the 16-bit length of the segment. The value includes the 2 bytes for the
		// length itself, so we subtract 2 to get the number of remaining bytes.
		if err = d.readFull(d.tmp[:2]); err != nil {
			return nil, err
		}
		n := int(d.tmp[0])<<8 + int(d.tmp[1]) - 2
		if n < 0 {
			return nil, FormatError("short segment length")
		}

		switch marker {
		case sof0Marker, sof1Marker, sof2Marker:
			d.baseline = marker == sof0Marker
			d.progressive = marker == sof2Marker
			err = d.processSOF(n)
		case dhtMarker:
			err = d.processDHT(n)
		case dqtMarker:
			err = d.processDQT(n)
		case sosMarker:
			err = d.processSOS(n)
		case driMarker:
			err = d.processDRI(n)
		case app0Marker:
			err = d.processApp0Marker(n)
		case app1Marker:
			err = d.processApp1Marker(n)
		case app14Marker:
			err = d.processApp14Marker(n)
		default:
			if app0Marker <= marker && marker <= app15Marker || marker == comMarker {
				err = d.ignore(n)
			} else if marker < 0xc0 { // See Table B.1 "Marker code assignments".
				err = FormatError("unknown marker")
			} else {
				err = UnsupportedError("unknown marker")
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if d.dc[0] == nil {
		return nil, FormatError("missing SOS marker")
	}
	return d.image()
}

// config describes the frame; called at the first scan, when the segments
// that can come before it (APP1, APP14) have been read.
func (d *decoder) config() Config {
	c := Config{
		Width:       d.width,
		Height:      d.height,
		Components:  d.nComp,
		Progressive: d.progressive,
		Orientation: d.orientation,
	}
	for i := 0; i < d.nComp; i++ {
		c.Cost += 2 * int64(d.mxx*d.comp[i].h) * int64(d.myy*d.comp[i].v)
	}
	if !d.progressive {
		c.QuarterCost = 3*c.Cost + 4*int64((d.width+3)/4)*int64((d.height+3)/4)
	}
	c.Cost += 4 * int64((d.width+7)/8) * int64((d.height+7)/8)
	return c
}

// processApp1Marker reads the Orientation tag of an EXIF segment. Only IFD0
// is read, as the tag lives there; anything malformed leaves orientation 1,
// which is what browsers show for a segment they cannot read.
func (d *decoder) processApp1Marker(n int) error {
	if n < 14 || n > maxExif {
		return d.ignore(n)
	}
	if d.exif == nil {
		d.exif = new([maxExif]byte) // once: a file may hold many APP1 segments
	}
	p := d.exif[:n]
	if err := d.readFull(p); err != nil {
		return err
	}
	if string(p[:6]) != "Exif\x00\x00" {
		return nil
	}
	if o := ExifOrientation(p[6:]); 1 <= o && o <= 8 {
		d.orientation = o
	}
	return nil
}

// ExifOrientation returns the Orientation tag (0x0112) of IFD0 in a TIFF
// block (EXIF without its "Exif\x00\x00" prefix, as in a PNG eXIf chunk),
// or 0.
func ExifOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var u16 func([]byte) uint32
	var u32 func([]byte) uint32
	switch string(t[:4]) {
	case "MM\x00\x2a":
		u16 = func(b []byte) uint32 { return uint32(b[0])<<8 | uint32(b[1]) }
		u32 = func(b []byte) uint32 { return u16(b)<<16 | u16(b[2:]) }
	case "II\x2a\x00":
		u16 = func(b []byte) uint32 { return uint32(b[1])<<8 | uint32(b[0]) }
		u32 = func(b []byte) uint32 { return u16(b[2:])<<16 | u16(b) }
	default:
		return 0
	}
	off := u32(t[4:])
	if off < 8 || uint64(off)+2 > uint64(len(t)) {
		return 0
	}
	count := u16(t[off:])
	for i := uint32(0); i < count; i++ {
		e := uint64(off) + 2 + 12*uint64(i)
		if e+12 > uint64(len(t)) {
			return 0
		}
		entry := t[e : e+12]
		if u16(entry) != 0x0112 {
			continue
		}
		if u16(entry[2:]) != 3 || u32(entry[4:]) != 1 { // SHORT, count 1
			return 0
		}
		return int(u16(entry[8:]))
	}
	return 0
}

// image converts the DC planes to an RGBA image of the blocks. Each
// dequantized DC coefficient over 8 is its block's mean sample less 128
// (the inverse DCT of a block with only a DC term is flat at that value).
func (d *decoder) image() (*image.RGBA, error) {
	if d.nComp == 4 && !d.adobeTransformValid {
		return nil, UnsupportedError("unknown color model: 4-component JPEG doesn't have Adobe APP14 metadata")
	}
	w, h := (d.width+7)/8, (d.height+7)/8
	if d.scale == Quarter {
		w, h = (d.width+3)/4, (d.height+3)/4
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	h0, v0 := d.comp[0].h, d.comp[0].v
	rgb := d.nComp == 3 && d.isRGB()
	var s [maxComponents]uint8
	for y := 0; y < h; y++ {
		row := m.Pix[y*m.Stride : y*m.Stride+4*w]
		for x := 0; x < w; x++ {
			for i := 0; i < d.nComp; i++ {
				c := &d.comp[i]
				bx, by := x*c.h/h0, y*c.v/v0
				if d.scale == Quarter {
					s[i] = d.quarter[i][by*2*d.mxx*c.h+bx]
					continue
				}
				v := int32(d.dc[i][by*d.mxx*c.h+bx]) * d.quant[c.tq][0]
				v = (v+4)>>3 + 128
				s[i] = uint8(min(max(v, 0), 255))
			}
			p := row[4*x : 4*x+4 : 4*x+4]
			switch {
			case d.nComp == 1:
				p[0], p[1], p[2] = s[0], s[0], s[0]
			case rgb:
				p[0], p[1], p[2] = s[0], s[1], s[2]
			case d.nComp == 3:
				p[0], p[1], p[2] = color.YCbCrToRGB(s[0], s[1], s[2])
			case d.adobeTransform != adobeTransformUnknown:
				// YCbCrK: the YCbCr part is inverted CMY, the K inverted
				// black; this is the standard library's applyBlack followed
				// by its CMYK to RGB conversion.
				r, g, b := color.YCbCrToRGB(s[0], s[1], s[2])
				p[0], p[1], p[2] = color.CMYKToRGB(r, g, b, 255-s[3])
			default:
				// Adobe CMYK is stored inverted: 255 is no ink.
				p[0], p[1], p[2] = color.CMYKToRGB(255-s[0], 255-s[1], 255-s[2], 255-s[3])
			}
			p[3] = 255
		}
	}
	return m, nil
}

func (d *decoder) isRGB() bool {
	if d.jfif {
		return false
	}
	if d.adobeTransformValid && d.adobeTransform == adobeTransformUnknown {
		// https://www.sno.phy.queensu.ca/~phil/exiftool/TagNames/JPEG.html#Adobe
		// says that 0 means Unknown (and in practice RGB) and 1 means YCbCr.
		return true
	}
	return d.comp[0].c == 'R' && d.comp[1].c == 'G' && d.comp[2].c == 'B'
}
