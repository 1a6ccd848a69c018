package thumbnail

import (
	"image"
	"image/color"
)

// A boxer averages an image's pixels over k×k blocks of a crop rectangle,
// taking the rows one at a time from the top: the decoders that stream
// rows never hold the image, and the sums of one row of blocks are all the
// state the filter needs. Pixels are premultiplied 16-bit RGBA, so
// transparent pixels add no colour and 16-bit sources lose nothing before
// the average.
type boxer struct {
	crop image.Rectangle // in the source's coordinates
	k    int
	sums []uint64    // r, g, b, a for each output column
	out  *image.RGBA // premultiplied, one pixel a block
	row  []uint16    // a scratch row for the producers, 4 values a pixel of crop
}

// boxerCost is what newBoxer allocates, in bytes.
func boxerCost(crop image.Rectangle, k int) int64 {
	gw, gh := int64((crop.Dx()+k-1)/k), int64((crop.Dy()+k-1)/k)
	return gw*32 + gw*gh*4 + int64(crop.Dx())*8 + 256
}

func newBoxer(crop image.Rectangle, k int) *boxer {
	gw, gh := (crop.Dx()+k-1)/k, (crop.Dy()+k-1)/k
	return &boxer{
		crop: crop,
		k:    k,
		sums: make([]uint64, 4*gw),
		out:  image.NewRGBA(image.Rect(0, 0, gw, gh)),
		row:  make([]uint16, 4*crop.Dx()),
	}
}

// wants reports whether row y of the source is inside the crop.
func (b *boxer) wants(y int) bool { return b.crop.Min.Y <= y && y < b.crop.Max.Y }

// add adds b.row, filled by the caller, as row y of the source. Rows are
// added in order; those outside the crop are ignored.
func (b *boxer) add(y int) {
	if !b.wants(y) {
		return
	}
	w, k := b.crop.Dx(), b.k
	for ox, x := 0, 0; x < w; ox, x = ox+1, x+k {
		s := b.sums[4*ox : 4*ox+4 : 4*ox+4]
		p := b.row[4*x : 4*min(x+k, w)]
		var r, g, bl, a uint64
		for i := 0; i+3 < len(p); i += 4 {
			r, g, bl, a = r+uint64(p[i]), g+uint64(p[i+1]), bl+uint64(p[i+2]), a+uint64(p[i+3])
		}
		s[0], s[1], s[2], s[3] = s[0]+r, s[1]+g, s[2]+bl, s[3]+a
	}
	cy := y - b.crop.Min.Y
	if (cy+1)%k != 0 && y != b.crop.Max.Y-1 {
		return
	}
	// The last source row of a row of blocks: average and start again.
	oy, rows := cy/k, uint64(cy%k+1)
	pix := b.out.Pix[oy*b.out.Stride:]
	for ox := range len(b.sums) / 4 {
		n := rows * uint64(min(k, w-ox*k)) * 257 // 257 takes 16-bit values to 8
		s := b.sums[4*ox : 4*ox+4 : 4*ox+4]
		p := pix[4*ox : 4*ox+4 : 4*ox+4]
		p[0], p[1], p[2], p[3] = uint8((s[0]+n/2)/n), uint8((s[1]+n/2)/n), uint8((s[2]+n/2)/n), uint8((s[3]+n/2)/n)
		s[0], s[1], s[2], s[3] = 0, 0, 0, 0
	}
}

// addImage adds every row of a decoded image that the crop holds. The
// layouts the decoders make are read directly: going through At would
// allocate a color.Color for each pixel.
func (b *boxer) addImage(m image.Image) {
	if s, ok := m.(*image.YCbCr); ok {
		b.addYCbCr(s)
		return
	}
	x0, x1 := b.crop.Min.X+m.Bounds().Min.X, b.crop.Max.X+m.Bounds().Min.X
	var pal [][4]uint16
	if p, ok := m.(*image.Paletted); ok {
		pal = premultipliedPalette(p.Palette)
	}
	for y := b.crop.Min.Y; y < b.crop.Max.Y; y++ {
		sy := y + m.Bounds().Min.Y
		row := b.row
		switch s := m.(type) {
		case *image.RGBA:
			pix := s.Pix[s.PixOffset(x0, sy):]
			for i := range row {
				row[i] = uint16(pix[i]) * 0x101
			}
		case *image.NRGBA:
			nrgbaRow(row, s.Pix[s.PixOffset(x0, sy):])
		case *image.Gray:
			pix := s.Pix[s.PixOffset(x0, sy):]
			for i := 0; i < len(row); i += 4 {
				v := uint16(pix[i/4]) * 0x101
				row[i], row[i+1], row[i+2], row[i+3] = v, v, v, 0xffff
			}
		case *image.Paletted:
			pix := s.Pix[s.PixOffset(x0, sy):]
			for i := 0; i < len(row); i += 4 {
				c := &pal[pix[i/4]]
				row[i], row[i+1], row[i+2], row[i+3] = c[0], c[1], c[2], c[3]
			}
		case *image.YCbCr:
			for x, i := x0, 0; x < x1; x, i = x+1, i+4 {
				yi, ci := s.YOffset(x, sy), s.COffset(x, sy)
				r, g, bl := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
				row[i], row[i+1], row[i+2], row[i+3] = uint16(r)*0x101, uint16(g)*0x101, uint16(bl)*0x101, 0xffff
			}
		case *image.NYCbCrA:
			for x, i := x0, 0; x < x1; x, i = x+1, i+4 {
				yi, ci := s.YOffset(x, sy), s.COffset(x, sy)
				r, g, bl := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
				a := uint32(s.A[s.AOffset(x, sy)]) * 0x101
				row[i], row[i+1], row[i+2], row[i+3] = uint16(uint32(r)*a/0xff), uint16(uint32(g)*a/0xff), uint16(uint32(bl)*a/0xff), uint16(a)
			}
		case *image.CMYK:
			pix := s.Pix[s.PixOffset(x0, sy):]
			for i := 0; i < len(row); i += 4 {
				r, g, bl := color.CMYKToRGB(pix[i], pix[i+1], pix[i+2], pix[i+3])
				row[i], row[i+1], row[i+2], row[i+3] = uint16(r)*0x101, uint16(g)*0x101, uint16(bl)*0x101, 0xffff
			}
		case *image.NRGBA64:
			pix := s.Pix[s.PixOffset(x0, sy):]
			for i := 0; i < len(row); i += 4 {
				a := uint32(pix[2*i+6])<<8 | uint32(pix[2*i+7])
				for c := range 3 {
					row[i+c] = uint16((uint32(pix[2*(i+c)])<<8 | uint32(pix[2*(i+c)+1])) * a / 0xffff)
				}
				row[i+3] = uint16(a)
			}
		case *image.RGBA64:
			pix := s.Pix[s.PixOffset(x0, sy):]
			for i := range row {
				row[i] = uint16(pix[2*i])<<8 | uint16(pix[2*i+1])
			}
		case *image.Gray16:
			pix := s.Pix[s.PixOffset(x0, sy):]
			for i := 0; i < len(row); i += 4 {
				v := uint16(pix[i/2])<<8 | uint16(pix[i/2+1])
				row[i], row[i+1], row[i+2], row[i+3] = v, v, v, 0xffff
			}
		default:
			// Any other layout (none of the decoders used makes one)
			// through the generic, allocating path.
			for x, i := x0, 0; x < x1; x, i = x+1, i+4 {
				r, g, bl, a := m.At(x, sy).RGBA()
				row[i], row[i+1], row[i+2], row[i+3] = uint16(r), uint16(g), uint16(bl), uint16(a)
			}
		}
		b.add(y)
	}
}

// nrgbaRow premultiplies straight 8-bit RGBA into the 16-bit row.
func nrgbaRow(row []uint16, pix []byte) {
	for i := 0; i < len(row); i += 4 {
		a := uint32(pix[i+3]) * 0x101
		row[i] = uint16(uint32(pix[i]) * a / 0xff)
		row[i+1] = uint16(uint32(pix[i+1]) * a / 0xff)
		row[i+2] = uint16(uint32(pix[i+2]) * a / 0xff)
		row[i+3] = uint16(a)
	}
}

// premultipliedPalette is a palette as the rows want it; missing entries
// (an index past the palette) are transparent, as the decoders leave them.
func premultipliedPalette(p color.Palette) [][4]uint16 {
	out := make([][4]uint16, 256)
	for i, c := range p {
		if i == 256 {
			break
		}
		r, g, b, a := c.RGBA()
		out[i] = [4]uint16{uint16(r), uint16(g), uint16(b), uint16(a)}
	}
	return out
}

// Scaling a photo straight down to a thumbnail with BiLinear costs more
// than decoding it: the kernel widens with the reduction, so each output
// pixel reads a wide strip of the source in floating point. Averaging
// whole k×k blocks first (a box filter: integer adds, each source pixel
// read once) leaves a small image to finish (areaScale); together they
// look like BiLinear from the whole image at thumbnail size
// (TestPreviewLooksLikeBiLinear), for a fraction of the time.

// shrinkFactor is the block side that takes a w×h image down to no less
// than twice the thumbnail's tw×th, or 1 when there is little to gain.
func shrinkFactor(w, h, tw, th int) int {
	k := min(w/(2*tw), h/(2*th))
	if k < 2 {
		return 1
	}
	return k
}

// addYCbCr is addImage for the layout JPEG decoders make. It sums Y, Cb and
// Cr over each block and converts the block's average to RGB once, instead
// of converting every pixel (a third of a whole-JPEG preview's time went
// there): the conversion is affine, so averaging first gives the same
// colour but for clamping at the edge of the gamut.
func (b *boxer) addYCbCr(s *image.YCbCr) {
	w, k, gw := b.crop.Dx(), b.k, len(b.sums)/4
	x0, top := b.crop.Min.X+s.Rect.Min.X, b.crop.Min.Y+s.Rect.Min.Y
	// Where a pixel's chroma sample is along a row depends on x alone.
	cx := make([]int, w)
	for i := range cx {
		cx[i] = s.COffset(x0+i, top) - s.COffset(x0, top)
	}
	for y := b.crop.Min.Y; y < b.crop.Max.Y; y++ {
		sy := y + s.Rect.Min.Y
		luma := s.Y[s.YOffset(x0, sy):][:w]
		cb, cr := s.Cb[s.COffset(x0, sy):], s.Cr[s.COffset(x0, sy):]
		for ox := range gw {
			var ys, bs, rs uint64
			for i := ox * k; i < min(ox*k+k, w); i++ {
				ys, bs, rs = ys+uint64(luma[i]), bs+uint64(cb[cx[i]]), rs+uint64(cr[cx[i]])
			}
			sum := b.sums[4*ox : 4*ox+3 : 4*ox+3]
			sum[0], sum[1], sum[2] = sum[0]+ys, sum[1]+bs, sum[2]+rs
		}
		cy := y - b.crop.Min.Y
		if (cy+1)%k != 0 && y != b.crop.Max.Y-1 {
			continue
		}
		oy, rows := cy/k, uint64(cy%k+1)
		pix := b.out.Pix[oy*b.out.Stride:]
		for ox := range gw {
			n := rows * uint64(min(k, w-ox*k))
			sum := b.sums[4*ox : 4*ox+3 : 4*ox+3]
			r, g, bl := color.YCbCrToRGB(uint8((sum[0]+n/2)/n), uint8((sum[1]+n/2)/n), uint8((sum[2]+n/2)/n))
			p := pix[4*ox : 4*ox+4 : 4*ox+4]
			p[0], p[1], p[2], p[3] = r, g, bl, 255
			sum[0], sum[1], sum[2] = 0, 0, 0
		}
	}
}
