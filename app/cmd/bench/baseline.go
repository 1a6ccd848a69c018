package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"imageapp/app/envelope"
)

// baselineHandler is what "just store the upload" and "just serve the file"
// cost on the same stack: POST /upload streams the multipart file part
// (r.MultipartReader, like the app) into a temp file in the data dir, fsyncs
// it (unless ?sync=0) and renames it into place, the same durable write the
// blob store does; GET /file/{name} is http.ServeFile of a plaintext file;
// GET /sealed/{name} serves the same file decrypted from its sealed twin
// (sealFile): the cryptography of a view and nothing else of the app.
func baselineHandler(dir string) http.Handler {
	var seq atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		durable := r.URL.Query().Get("sync") != "0"
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		name := ""
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if part.FormName() != "image" {
				io.Copy(io.Discard, io.LimitReader(part, 4<<10))
				continue
			}
			name = fmt.Sprintf("upload-%d", seq.Add(1))
			if err := storeDurably(dir, name, part, durable); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"name":%q}`, name)
	})
	mux.HandleFunc("GET /file/{name}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(dir, filepath.Base(r.PathValue("name"))))
	})
	mux.HandleFunc("GET /sealed/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Join(dir, filepath.Base(r.PathValue("name")))
		// The plaintext twin's size, as the app's row holds the image's.
		st, err := os.Stat(name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		f, err := os.Open(name + ".sealed")
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		defer f.Close()
		dr, err := envelope.NewReader(f, sealKey, sealContext, envelope.PurposeImage)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
		if _, err := io.Copy(w, dr); err != nil {
			panic(http.ErrAbortHandler) // as the app: a broken transfer, never unauthenticated bytes
		}
	})
	return mux
}

// sealKey and sealContext seal the decrypting baseline's files: a fixed
// key, as if the data key were already unwrapped.
var (
	sealKey     = bytes.Repeat([]byte{0x42}, envelope.KeySize)
	sealContext = envelope.Context{App: "imageapp-bench", MessageID: "baseline", SenderID: "alice", RecipientID: "bob"}
)

// sealFile writes plain encrypted with the app's envelope (the format and
// 64 KiB segments of a blob) to dir/name.sealed.
func sealFile(dir, name string, plain []byte) error {
	f, err := os.Create(filepath.Join(dir, name+".sealed"))
	if err != nil {
		return err
	}
	ew, err := envelope.NewWriter(f, sealKey, sealContext, envelope.PurposeImage)
	if err == nil {
		_, err = ew.Write(plain)
	}
	if err == nil {
		err = ew.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func storeDurably(dir, name string, r io.Reader, durable bool) error {
	f, err := os.CreateTemp(dir, ".tmp-"+name+"-*")
	if err != nil {
		return err
	}
	// 64 KiB writes, as the blob store gets them (one encrypted segment per
	// write): copying a multipart part straight into the file would write
	// in the part's 4 KiB reads and make the baseline needlessly slow.
	bw := bufio.NewWriterSize(f, 64<<10)
	_, err = io.Copy(struct{ io.Writer }{bw}, r) // no ReadFrom: bufio would hand the copy to the file
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func (e *benchEnv) baselineUpload(c *hclient, sc sizeCase, durable bool) (string, error) {
	path := "/upload?sync=1"
	if !durable {
		path = "/upload?sync=0"
	}
	raw, err := c.call(c.newRequest(http.MethodPost, path, bytes.NewReader(sc.body), sc.ctype), http.StatusCreated)
	if err != nil {
		return "", err
	}
	var out struct{ Name string }
	if err := json.Unmarshal(raw, &out); err != nil || out.Name == "" {
		return "", fmt.Errorf("baseline upload: unexpected answer %.200s", raw)
	}
	return out.Name, nil
}
