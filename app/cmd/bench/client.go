package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"imageapp/app/imageapp"
)

// hclient is one logged-in browser or script: a cookie jar over the shared transport.
type hclient struct {
	base string
	hc   *http.Client
}

func (e *benchEnv) client(base string) *hclient {
	jar, _ := cookiejar.New(nil)
	return &hclient{base: base, hc: &http.Client{Transport: e.tr, Jar: jar, Timeout: 5 * time.Minute}}
}

func (c *hclient) newRequest(method, path string, body io.Reader, ctype string) *http.Request {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		panic(err) // only our own paths
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req
}

// call sends req and returns the whole body; a status other than want is an error.
func (c *hclient) call(req *http.Request, want int) ([]byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return body, fmt.Errorf("%s %s: status %d, want %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, want, body)
	}
	return body, nil
}

// drain sends req and discards the body, returning its length.
func (c *hclient) drain(req *http.Request, want int) (int64, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return n, err
	}
	if resp.StatusCode != want {
		return n, fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
	}
	return n, nil
}

func (c *hclient) postJSON(path string, v any, want int) ([]byte, error) {
	raw, _ := json.Marshal(v)
	return c.call(c.newRequest(http.MethodPost, path, bytes.NewReader(raw), "application/json"), want)
}

const benchPassword = "correct horse battery"

// signUp walks sign-up, email confirmation (the code from the outbox) and
// login through the JSON API and returns the logged-in client.
func (e *benchEnv) signUp(ctx context.Context, username string) (*hclient, imageapp.User, error) {
	c := e.client(e.appURL)
	email := username + "@bench.example"
	if _, err := c.postJSON("/api/signup", map[string]string{"username": username, "email": email, "password": benchPassword}, http.StatusCreated); err != nil {
		return nil, imageapp.User{}, err
	}
	code, err := e.codeFor(email)
	if err != nil {
		return nil, imageapp.User{}, err
	}
	if _, err := c.postJSON("/api/verify", map[string]string{"username": username, "code": code}, http.StatusOK); err != nil {
		return nil, imageapp.User{}, err
	}
	if _, err := c.postJSON("/api/login", map[string]string{"username": username, "password": benchPassword}, http.StatusOK); err != nil {
		return nil, imageapp.User{}, err
	}
	u, err := e.users.UserByUsername(ctx, username)
	return c, u, err
}

var benchCode = regexp.MustCompile(`code is (\d{6})`)

func (e *benchEnv) codeFor(email string) (string, error) {
	paths, _ := filepath.Glob(filepath.Join(e.dir, "outbox", "*.eml"))
	sort.Strings(paths)
	for i := len(paths) - 1; i >= 0; i-- {
		raw, err := os.ReadFile(paths[i])
		if err != nil {
			return "", err
		}
		if !bytes.Contains(raw, []byte("To: "+email+"\r\n")) {
			continue
		}
		if m := benchCode.FindSubmatch(raw); m != nil {
			return string(m[1]), nil
		}
	}
	return "", fmt.Errorf("no code mailed to %s", email)
}

// send posts a prepared multipart send and returns the new message's ID.
func (c *hclient) send(body []byte, ctype string) (string, error) {
	raw, err := c.call(c.newRequest(http.MethodPost, "/api/messages", bytes.NewReader(body), ctype), http.StatusCreated)
	if err != nil {
		return "", err
	}
	var out struct {
		Message struct {
			ID string `json:"id"`
		} `json:"message"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Message.ID == "" {
		return "", fmt.Errorf("send: unexpected answer %.200s", raw)
	}
	return out.Message.ID, nil
}

func (c *hclient) deleteMessage(id string) error {
	_, err := c.call(c.newRequest(http.MethodDelete, "/api/messages/"+id, nil, ""), http.StatusNoContent)
	return err
}

// multipartSend is a send form as browsers build it: "to" before the file.
func multipartSend(to, filename string, img []byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("to", to)
	w, _ := mw.CreateFormFile("image", filename)
	w.Write(img)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}
