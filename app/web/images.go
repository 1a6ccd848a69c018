package web

import (
	"encoding/base64"
	"io"
)

// ThumbURL is a thumbnail as a data: URL, so a page of them needs no more
// requests, and none that would each unwrap a key.
func ThumbURL(jpeg []byte) string {
	if len(jpeg) == 0 {
		return ""
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(jpeg)
}

// StreamBase64 encodes r into w as it reads it.
func StreamBase64(w io.Writer, r io.Reader) error {
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if _, err := io.Copy(enc, r); err != nil {
		return err
	}
	return enc.Close()
}
