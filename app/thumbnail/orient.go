package thumbnail

import "image"

// orient returns m as it is shown under EXIF orientation o: browsers apply
// the tag by default (CSS image-orientation: from-image), so a preview that
// ignored it would lie on its side. Orientations 5 to 8 swap the sides.
// Anything but 2 to 8 returns m itself.
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			// (sx, sy) is the stored pixel shown at (x, y).
			var sx, sy int
			switch o {
			case 2: // mirrored left to right
				sx, sy = w-1-x, y
			case 3: // turned half a turn
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored top to bottom
				sx, sy = x, h-1-y
			case 5: // transposed: mirrored about the main diagonal
				sx, sy = y, x
			case 6: // stored turned a quarter anticlockwise; shown turned clockwise
				sx, sy = y, h-1-x
			case 7: // mirrored about the other diagonal
				sx, sy = w-1-y, h-1-x
			case 8: // stored turned a quarter clockwise; shown turned anticlockwise
				sx, sy = w-1-y, x
			}
			s := m.PixOffset(sx+m.Rect.Min.X, sy+m.Rect.Min.Y)
			d := dst.PixOffset(x, y)
			copy(dst.Pix[d:d+4], m.Pix[s:s+4])
		}
	}
	return dst
}

// orientedSize is a w×h image's size as shown under orientation o.
func orientedSize(w, h, o int) (int, int) {
	if o >= 5 && o <= 8 {
		return h, w
	}
	return w, h
}
