package metastrip

import (
	"io"
)

var gifKeepApp = map[string]bool{
	"NETSCAPE2.0": true, // loop count
	"ANIMEXTS1.0": true, // the same, by another name
	"ICCRGBG1012": true, // ICC colour profile
}

func (r *Reader) gifStart() error {
	b, err := r.need(13, "the header")
	if err != nil {
		return err
	}
	if sig := string(b[:6]); sig != "GIF87a" && sig != "GIF89a" {
		return malformed("gif: bad signature")
	}
	r.gifW, r.gifH = int(b[6])|int(b[7])<<8, int(b[8])|int(b[9])<<8
	r.emit(b)
	r.src.Discard(13)
	if b[10]&0x80 != 0 {
		r.do(actCopy, 3<<(b[10]&7+1)) // global colour table
	}
	r.state = stGIFBlock
	return nil
}

func (r *Reader) gifBlock() error {
	b, err := r.src.Peek(1)
	if err == io.EOF && len(b) == 0 {
		r.state = stDone // no trailer: the output ends where the input did
		return nil
	}
	if err != nil {
		return r.truncated(err, "a block")
	}
	switch b[0] {
	case 0x3B: // trailer
		r.emit(b)
		r.src.Discard(1)
		r.state = stDrain // what follows is dropped
	case 0x2C: // image descriptor
		d, err := r.need(10, "an image descriptor")
		if err != nil {
			return err
		}
		// Every frame must lie within the canvas, whose size the pixel
		// budget was checked against (imagecheck reads only the canvas): a
		// frame of 65535×65535 on a 1×1 canvas would make a decoder allocate
		// 16 GiB. Go's own GIF decoder refuses such frames too.
		left, top := int(d[1])|int(d[2])<<8, int(d[3])|int(d[4])<<8
		w, h := int(d[5])|int(d[6])<<8, int(d[7])|int(d[8])<<8
		if left+w > r.gifW || top+h > r.gifH {
			return malformed("gif: a %dx%d frame at (%d,%d) does not fit the %dx%d canvas", w, h, left, top, r.gifW, r.gifH)
		}
		r.emit(d)
		r.src.Discard(10)
		if d[9]&0x80 != 0 {
			r.do(actCopy, 3<<(d[9]&7+1)) // local colour table
		}
		r.state = stGIFCodeSize
	case 0x21: // extension
		h, err := r.need(2, "an extension")
		if err != nil {
			return err
		}
		switch h[1] {
		case 0xF9, 0x01: // graphic control, plain text
			r.emit(h)
			r.src.Discard(2)
			r.state = stGIFSubKeep
			return nil
		case 0xFF: // application
			a, err := r.need(3, "an application extension")
			if err != nil {
				return err
			}
			if a[2] == 11 {
				a, err := r.need(14, "an application extension")
				if err != nil {
					return err
				}
				if gifKeepApp[string(a[3:14])] {
					r.emit(a)
					r.src.Discard(14)
					r.state = stGIFSubKeep
					return nil
				}
			}
		}
		// Comment, other application and unknown extensions.
		r.src.Discard(2)
		r.state = stGIFSubDrop
	default:
		return malformed("gif: unknown block 0x%02X", b[0])
	}
	return nil
}

func (r *Reader) gifCodeSize() error {
	b, err := r.need(1, "image data")
	if err != nil {
		return err
	}
	r.emit(b)
	r.src.Discard(1)
	r.state = stGIFSubKeep
	return nil
}

// gifSub handles one data sub-block: a size byte, then that many bytes; a
// zero size ends the block.
func (r *Reader) gifSub() error {
	b, err := r.need(1, "a data sub-block")
	if err != nil {
		return err
	}
	size := b[0]
	r.src.Discard(1)
	if r.state == stGIFSubDrop {
		r.do(actSkip, int64(size))
	} else {
		r.emit([]byte{size})
		r.do(actCopy, int64(size))
	}
	if size == 0 {
		r.state = stGIFBlock
	}
	return nil
}
