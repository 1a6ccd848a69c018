package jpegdc

import "math"

// Scale is the scale a decode keeps: Eighth, one pixel a block from its DC
// coefficient (the default), or Quarter, four pixels a block (a baseline or
// extended sequential JPEG only).
type Scale int

const (
	Eighth Scale = iota
	Quarter
)

// A quarter-scale pixel is the mean of a 4×4 quadrant of its 8×8 block.
// The mean of an inverse DCT basis function over half a block is zero for
// the even frequencies but 0, so a quadrant's mean is exactly
//
//	Σ F(u,v)·w(u)·w(v) for u, v in {0, 1, 3, 5, 7}
//
// with w(u) = C(u)/2 · ¼·Σ_{x<4} cos((2x+1)uπ/16) for the left (top) half,
// and (-1)^u·w(u) for the right (bottom) one. Only those 25 of the 64
// coefficients are read for their value; the rest are skipped as the DC
// decode skips them all. The inverse DCT and the full-size planes are not
// needed: the result is the image box-filtered by 4.
const quarterShift = 13 // fixed-point bits of quarterWeight

// quarterWeight is w(u) in fixed point, 0 for the frequencies whose
// half-block mean is zero.
var quarterWeight = func() (w [8]int64) {
	for u := 0; u < 8; u++ {
		if u != 0 && u%2 == 0 {
			continue
		}
		c := 1.0
		if u == 0 {
			c = 1 / math.Sqrt2
		}
		sum := 0.0
		for x := 0; x < 4; x++ {
			sum += math.Cos(float64(2*x+1) * float64(u) * math.Pi / 16)
		}
		w[u] = int64(math.Round(c / 2 * sum / 4 * (1 << quarterShift)))
	}
	return w
}()

// quadrants accumulates the four quadrant means of one block: [0] top
// left, [1] top right, [2] bottom left, [3] bottom right, scaled by
// 2^(2·quarterShift).
type quadrants [4]int64

// add adds the dequantized coefficient f at natural (row-major) index n.
func (q *quadrants) add(n int, f int64) {
	u, v := n&7, n>>3
	f *= quarterWeight[u] * quarterWeight[v]
	q[0] += f
	if u&1 == 1 { // an odd horizontal frequency changes sign on the right
		q[1] -= f
	} else {
		q[1] += f
	}
	if v&1 == 1 {
		q[2] -= f
	} else {
		q[2] += f
	}
	if (u+v)&1 == 1 {
		q[3] -= f
	} else {
		q[3] += f
	}
}

// wanted reports whether the coefficient at natural index n counts.
func wanted(n int) bool { return quarterWeight[n&7] != 0 && quarterWeight[n>>3] != 0 }

// store writes the block's four samples, level-shifted and clamped, at
// block (bx, by) of plane p, whose rows are stride samples.
func (q *quadrants) store(p []uint8, stride, bx, by int) {
	const half = 1 << (2*quarterShift - 1)
	for i, s := range q {
		v := (s+half)>>(2*quarterShift) + 128
		p[(2*by+i/2)*stride+2*bx+i%2] = uint8(min(max(v, 0), 255))
	}
}

// unzig maps from the zig-zag ordering to the natural ordering. For example,
// unzig[3] is the column and row of the fourth element in zig-zag order. The
// value is 16, which means first column (16%8 == 0) and third row (16/8 ==
// 2). Copied from Go 1.26.8's src/image/jpeg/reader.go (BSD licence:
// LICENSE in this directory).
var unzig = [blockSize]int{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}
