package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"imageapp/app/web"
)

// rawSend posts a multipart send over a bare connection, writing the body as
// write decides, and returns the server's answer.
func rawSend(t *testing.T, app *testApp, from *client, img []byte, write func(conn net.Conn, body []byte) error) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	must(t, mw.WriteField("to", "bob"))
	fw, err := mw.CreateFormFile("image", "slow.png")
	must(t, err)
	fw.Write(img)
	must(t, mw.Close())

	conn, err := net.Dial("tcp", app.server.Listener.Addr().String())
	must(t, err)
	defer conn.Close()
	var cookies []string
	for _, c := range from.cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	head := fmt.Sprintf("POST /api/messages HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		app.server.Listener.Addr(), strings.Join(cookies, "; "), mw.FormDataContentType(), body.Len())
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	go write(conn, body.Bytes()) // its error is the server closing on it; the answer tells
	// Bounded, so a server that never gives up fails the test instead of hanging it.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer from the server: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// TestSlowBodiesAreCut: a body that trickles in, a byte now and then, is
// answered 408 soon after the grace period, and the connection is freed,
// while an upload that keeps a fair rate runs well past the grace period.
func TestSlowBodiesAreCut(t *testing.T) {
	app := startApp(t, t.TempDir(), generousLimits, func(c *Config) {
		c.Pace = web.Pace{Grace: 300 * time.Millisecond, MinRate: 16 << 10, Stall: 300 * time.Millisecond}
	})
	alice := app.signUp("alice")
	bob := app.signUp("bob")
	img := testPNG(t, 300, 300)
	if len(img) < 64<<10 {
		t.Fatalf("the test image is only %d bytes", len(img))
	}

	// Cut off among the fields, and in the middle of the image's bytes.
	for _, first := range []int{200, 4096} {
		trickle := func(conn net.Conn, body []byte) error {
			if _, err := conn.Write(body[:first]); err != nil {
				return err
			}
			for _, b := range body[first:] {
				time.Sleep(50 * time.Millisecond)
				if _, err := conn.Write([]byte{b}); err != nil {
					return err
				}
			}
			return nil
		}
		resp, body := rawSend(t, app, alice, img, trickle)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(body, `"code":"timeout"`) || !resp.Close {
			t.Fatalf("a body trickled after %d bytes: got %d (close %v) %s, want 408 and the connection closed", first, resp.StatusCode, resp.Close, body)
		}
	}

	// 8 KiB every 50 ms is 160 KiB/s, ten times the minimum: it takes longer
	// than the grace period, and goes through.
	steady := func(conn net.Conn, body []byte) error {
		for len(body) > 0 {
			n := min(8<<10, len(body))
			if _, err := conn.Write(body[:n]); err != nil {
				return err
			}
			body = body[n:]
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	}
	resp, body := rawSend(t, app, alice, img, steady)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("a steady upload longer than the grace period: got %d %s", resp.StatusCode, body)
	}
	var list struct{ Messages []struct{ ID string } }
	decode(t, bob.get("/api/messages?box=inbox"), &list)
	if len(list.Messages) != 1 {
		t.Fatalf("bob has %d messages, want the steady one only", len(list.Messages))
	}
}
