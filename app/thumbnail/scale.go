package thumbnail

import "image"

// areaScale scales the premultiplied src to w×h by area averaging, each
// output pixel the mean of the source area under it, and flattens it on
// white. After the box filter there is at most a factor of four left to
// scale, for which area averaging looks as good as a widened BiLinear
// kernel; unlike x/image/draw's kernels, it needs no float buffer of the
// half-scaled image (32 bytes a pixel of it), only a row of sums.
func areaScale(src *image.RGBA, w, h int) *image.RGBA {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	// Source pixel sx spans [sx*w, (sx+1)*w) and output pixel x spans
	// [x*sw, (x+1)*sw) on a common scale; the weights are the overlaps.
	type span struct{ sx, weight int }
	cols := make([][]span, w)
	for x := range w {
		lo, hi := x*sw, (x+1)*sw
		for sx := lo / w; sx < sw && sx*w < hi; sx++ {
			if o := min(hi, (sx+1)*w) - max(lo, sx*w); o > 0 {
				cols[x] = append(cols[x], span{sx, o})
			}
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	sums := make([]uint64, 4*w)
	total := uint64(sw) * uint64(sh)
	for y := range h {
		clear(sums)
		lo, hi := y*sh, (y+1)*sh
		for sy := lo / h; sy < sh && sy*h < hi; sy++ {
			wy := uint64(min(hi, (sy+1)*h) - max(lo, sy*h))
			if wy == 0 {
				continue
			}
			row := src.Pix[(sy+src.Rect.Min.Y-src.Rect.Min.Y)*src.Stride:]
			for x, spans := range cols {
				s := sums[4*x : 4*x+4 : 4*x+4]
				for _, sp := range spans {
					p := row[4*sp.sx : 4*sp.sx+4 : 4*sp.sx+4]
					wt := wy * uint64(sp.weight)
					s[0] += wt * uint64(p[0])
					s[1] += wt * uint64(p[1])
					s[2] += wt * uint64(p[2])
					s[3] += wt * uint64(p[3])
				}
			}
		}
		out := dst.Pix[y*dst.Stride:]
		for x := range w {
			s := sums[4*x : 4*x+4 : 4*x+4]
			a := (s[3] + total/2) / total
			for c := range 3 {
				// Premultiplied colour over white: c + 255·(1 - a/255).
				out[4*x+c] = uint8(min((s[c]+total/2)/total+255-a, 255))
			}
			out[4*x+3] = 255
		}
	}
	return dst
}
